/**
 * docs/compatibility.md's report (test/compat/report.ts): the table shows only what was measured
 * on the current runtime, and tests that fail inside for a listed platform limit are named.
 */
import { describe, expect, it } from 'vitest'
import type { ModuleComparison, SideResult } from '../compat/harness'
import { compareOutcomes } from '../compat/outcomes'
import { renderCompatibility, resultsOfRuntime, type CompatResults } from '../compat/report'
import type { CompatSuite } from '../compat/suite'

const side = (ran: number, failed: number, skipped: number): SideResult => ({
  status: 'ok',
  counts: { ran, failed, skipped },
  wallMs: 1000,
  fuel: null,
  lastStarted: null,
  message: null
})

function comparison(module: string, differences: ModuleComparison['differences']): ModuleComparison {
  return {
    suite: 'stdlib',
    module,
    native: side(3, 0, 0),
    sandbox: side(3, differences.length, 0),
    differences,
    status: differences.length === 0 ? 'same' : 'explained',
    stoppedIn: null
  }
}

const suite = {
  id: 'stdlib',
  title: 'Stdlib',
  description: 'd',
  modules: [{ name: 'test_a' }, { name: 'test_b' }]
} as unknown as CompatSuite

const run = (runtime: string, date: string): { date: string; machine: string; runtime: string } => ({
  date,
  machine: 'm',
  runtime
})

describe('compatibility report', () => {
  it('keeps only the rows measured on the current runtime, so the header lists only its runs', () => {
    const stored: CompatResults = {
      suites: {
        stdlib: {
          test_a: { run: run('runtime new', '2026-12-06T03:00:00Z'), comparison: comparison('test_a', []) },
          test_b: { run: run('runtime old', '2026-12-05T10:00:00Z'), comparison: comparison('test_b', []) }
        }
      }
    }
    const { results, dropped } = resultsOfRuntime(stored, 'runtime new')
    expect(dropped).toBe(1)
    const report = renderCompatibility([suite], results, [])
    expect(report).toContain('Run: 2026-12-06 03:00 UTC, runtime new on m.')
    expect(report).not.toContain('runtime old')
    expect(report).toContain('| test_a |')
    expect(report).not.toContain('| test_b |')
  })

  it('names each test that fails inside for a platform limit, with the limit', () => {
    const c = comparison('test_a', [
      {
        test: 'test.test_a.T.test_big',
        native: 'pass',
        sandbox: 'error',
        detail: 'OSError: [Errno 51] No space left on device',
        why: 'files live in memory'
      },
      {
        test: 'test.test_a.T.test_fork',
        native: 'pass',
        sandbox: 'skip',
        detail: 'fork',
        why: 'no processes'
      }
    ])
    const report = renderCompatibility(
      [suite],
      { suites: { stdlib: { test_a: { run: run('r', '2026-12-06T03:00:00Z'), comparison: c } } } },
      []
    )
    expect(report).toContain('### Tests that fail inside for a platform limit')
    expect(report).toContain(
      '- test_a: `test_a.T.test_big` native pass, sandbox error: OSError: [Errno 51] No space left on device (files live in memory)'
    )
    expect(report).not.toContain('`test_a.T.test_fork`')
  })
})

describe('compatibility outcomes', () => {
  it('a rule limited to a native outcome explains only that case', () => {
    const rules = [
      {
        detail: /locale/,
        native: ['skip' as const],
        sandbox: ['pass' as const],
        why: 'no such locale natively'
      }
    ]
    const native = new Map([
      ['t.a', { outcome: 'skip' as const, detail: 'needs a locale', seconds: 0 }],
      ['t.b', { outcome: 'pass' as const, detail: '', seconds: 0 }]
    ])
    const sandbox = new Map([
      ['t.a', { outcome: 'pass' as const, detail: '', seconds: 0 }],
      ['t.b', { outcome: 'skip' as const, detail: 'needs a locale', seconds: 0 }]
    ])
    expect(compareOutcomes(native, sandbox, rules).map((d) => [d.test, d.why])).toEqual([
      ['t.a', 'no such locale natively'],
      ['t.b', null]
    ])
  })
})
