import { describe, expect, it } from 'vitest'
import { appCsp, appMetaCsp, REPORT_CSP, REPORT_HTML_OUTPUT_CSP, type AppDoor } from '../../src/shared/csp'

/** directive name → its sources */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/)
      return [name!, sources] as const
    })
  )
}

const DOORS: AppDoor[] = [
  { kind: 'desktop' },
  { kind: 'browser', outputFrameOrigin: 'http://127.0.0.1:41235' },
  { kind: 'browser', outputFrameOrigin: null }
]

describe('the app page policy', () => {
  it('index.html meta allows everything a door header allows, so the page works through either door', () => {
    const meta = directives(appMetaCsp())
    const allowedBy = (directive: string, source: string): boolean => {
      const sources = meta.get(directive) ?? []
      if (sources.includes(source)) return true
      // A port wildcard covers any port of the same scheme and host.
      return sources.some((s) => s.endsWith(':*') && source.startsWith(s.slice(0, -1)))
    }
    for (const door of DOORS) {
      for (const [directive, sources] of directives(appCsp(door))) {
        if (directive === 'frame-ancestors') continue // ignored in a meta
        for (const source of sources)
          expect(allowedBy(directive, source), `${directive} ${source}`).toBe(true)
      }
    }
  })

  it('has the same directives under each door, the meta without frame-ancestors', () => {
    const names = (policy: string): string[] =>
      [...directives(policy).keys()].filter((n) => n !== 'frame-ancestors')
    for (const door of DOORS) expect(names(appCsp(door))).toEqual(names(appMetaCsp()))
    expect(appMetaCsp()).not.toContain('frame-ancestors')
  })

  it('lets the desktop page frame the output scheme and connect only to itself', () => {
    const desktop = directives(appCsp({ kind: 'desktop' }))
    expect(desktop.get('frame-src')).toContain('fuelbook-frame:')
    expect(desktop.get('connect-src')).toEqual(["'self'"])
    expect(desktop.get('script-src')).toEqual(["'self'"])
  })

  it('lets the browser page frame its own frame server only, talk over loopback WebSockets, and be framed by no one', () => {
    const browser = directives(appCsp({ kind: 'browser', outputFrameOrigin: 'http://127.0.0.1:41235' }))
    expect(browser.get('frame-src')).toEqual(["'self'", 'blob:', 'data:', 'http://127.0.0.1:41235'])
    expect(browser.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*'])
    expect(browser.get('frame-ancestors')).toEqual(["'none'"])
    const noFrames = directives(appCsp({ kind: 'browser', outputFrameOrigin: null }))
    expect(noFrames.get('frame-src')).toEqual(["'self'", 'blob:', 'data:'])
  })
})

describe('the HTML report policies', () => {
  it('play a sound kept in the file (an Audio output) and load nothing else: media only from data: URLs', () => {
    for (const policy of [REPORT_CSP, REPORT_HTML_OUTPUT_CSP]) {
      const report = directives(policy)
      expect(report.get('default-src')).toEqual(["'none'"])
      expect(report.get('media-src')).toEqual(['data:'])
      expect(report.get('script-src')).toBeUndefined()
    }
  })
})
