/**
 * The quick part of the compatibility harness (test/compat/): the stdlib modules marked `quick`
 * run natively and inside the sandbox, and each must still behave as natively, or differ only for
 * a listed platform limit. The full table is `npm run compat` (docs/compatibility.md).
 */
import { describe, expect, it } from 'vitest'
import { compareModule } from '../compat/harness'
import { renderCompatibility } from '../compat/report'
import { STDLIB_SUITE } from '../compat/stdlib'
import { useTestHost } from '../helpers/kernel-host'

const host = useTestHost(1)
const QUICK = STDLIB_SUITE.modules.filter((m) => m.quick === true)

describe("CPython's stdlib tests inside the sandbox (quick set)", () => {
  it('has a quick set', () => {
    expect(QUICK.length).toBeGreaterThanOrEqual(5)
  })

  it('reports a module whose test files are missing as a row, and goes on', async () => {
    STDLIB_SUITE.ensure()
    const module = { name: 'test_not_in_the_testsuite' }
    const c = await compareModule(STDLIB_SUITE, module, host(), { timeoutMs: 60_000 })
    expect({ status: c.status, native: c.native.status, sandbox: c.sandbox.status }).toEqual({
      status: 'missing',
      native: 'not run',
      sandbox: 'not run'
    })
    const run = { date: '2026-01-01T00:00:00Z', machine: 'test', runtime: 'test' }
    const suite = { ...STDLIB_SUITE, modules: [module] }
    const report = renderCompatibility(
      [suite],
      { suites: { stdlib: { [module.name]: { run, comparison: c } } } },
      []
    )
    expect(report).toContain(
      `| test_not_in_the_testsuite | 0 / 0 / 0 | 0 / 0 / 0 | 0.0 s | 0.0 s | ✗ not run: test files missing | test files missing from ${STDLIB_SUITE.sourceRoot}: test/test_not_in_the_testsuite |`
    )
  })

  for (const module of QUICK) {
    it(
      `${module.name} behaves as natively`,
      async () => {
        STDLIB_SUITE.ensure()
        const c = await compareModule(STDLIB_SUITE, module, host(), { timeoutMs: 5 * 60_000 })
        const unexplained = c.differences.filter((d) => d.why === null)
        expect({ status: c.sandbox.status, message: c.sandbox.message, unexplained }).toEqual({
          status: 'ok',
          message: null,
          unexplained: []
        })
        expect(['same', 'explained']).toContain(c.status)
        // The module really ran on both sides.
        expect(c.native.counts.ran).toBeGreaterThan(0)
        expect(c.sandbox.counts.ran).toBeGreaterThan(0)
      },
      6 * 60_000
    )
  }
})
