import { describe, expect, it } from 'vitest'
import { packageOrigin } from '../../src/renderer/src/lib/packages'

describe('packages section', () => {
  it('says whether a package was asked for or pulled in, and by whom', () => {
    expect(packageOrigin('app-kit[fast]')).toBe('installed as app-kit[fast]')
    expect(packageOrigin('greeter==0.5')).toBe('installed as greeter==0.5')
    expect(packageOrigin('mid-lib 2.1 requires base-lib')).toBe('needed by mid-lib 2.1 (base-lib)')
    expect(packageOrigin('app-kit 1.0 requires mid-lib>=2')).toBe('needed by app-kit 1.0 (mid-lib>=2)')
  })
})
