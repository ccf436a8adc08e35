import { describe, expect, it } from 'vitest'
import { baseIdentity, createKernelHost } from '../../src/main/kernel/host'
import { RUNTIME_DIR } from '../helpers/runtime-dir'

// A saved head stores only the pages that differ from S0, so reopening a notebook on another machine
// (or after the S0 cache was cleared) is only correct if booting S0 gives the very same bytes.
describe('S0', () => {
  it('boots to identical bytes in separate hosts, so saved heads restore anywhere', async () => {
    const resourcesDir = RUNTIME_DIR
    const identities: string[] = []
    for (let i = 0; i < 2; i++) {
      const host = await createKernelHost({ resourcesDir, poolSize: 1 })
      identities.push(baseIdentity(host.runtimeHash, host.s0))
      await host.close()
    }
    expect(identities[0]).toMatch(/^[0-9a-f]{64}$/)
    expect(identities[1]).toBe(identities[0])
  })
})
