/**
 * Test outcomes as the runners report them (unittest_runner.py: one RS-prefixed line a test), and
 * the comparison of one module's native and sandbox outcomes. Pure: no I/O.
 */

export type Outcome = 'pass' | 'fail' | 'error' | 'skip' | 'xfail' | 'xpass'

export interface TestOutcome {
  outcome: Outcome
  /** Skip reason, or the last line of the failure. */
  detail: string
  /** How long the test ran (wall clock). */
  seconds: number
}

export interface ParsedRun {
  tests: Map<string, TestOutcome>
  /** The runner reached its end (not stopped by fuel, timeout or a crash). */
  done: boolean
  /** The test that had started and not ended when the run stopped. */
  lastStarted: string | null
}

const RS = '\x1e'
const OUTCOMES = new Set<string>(['pass', 'fail', 'error', 'skip', 'xfail', 'xpass'])

export function parseOutcomes(stream: string): ParsedRun {
  const tests = new Map<string, TestOutcome>()
  let done = false
  let open: string | null = null
  for (const line of stream.split('\n')) {
    if (!line.startsWith(RS)) continue
    const [kind = '', id = '', detail = '', seconds = '0'] = line.slice(1).split('\t')
    if (kind === 'start') open = id
    else if (kind === 'done') done = true
    else if (OUTCOMES.has(kind)) {
      // A subtest failure and its test's own end both arrive: the worst outcome stays.
      const previous = tests.get(id)
      if (previous === undefined || rank(kind as Outcome) > rank(previous.outcome))
        tests.set(id, { outcome: kind as Outcome, detail, seconds: Number(seconds) })
      if (id === open) open = null
    }
  }
  return { tests, done, lastStarted: done ? null : open }
}

function rank(outcome: Outcome): number {
  return { pass: 0, xfail: 0, skip: 1, xpass: 2, fail: 3, error: 4 }[outcome]
}

export interface Counts {
  ran: number
  failed: number
  skipped: number
}

export function countOutcomes(tests: Map<string, TestOutcome>): Counts {
  let ran = 0
  let failed = 0
  let skipped = 0
  for (const { outcome } of tests.values()) {
    if (outcome === 'skip') skipped++
    else ran++
    if (outcome === 'fail' || outcome === 'error' || outcome === 'xpass') failed++
  }
  return { ran, failed, skipped }
}

export interface TestDifference {
  test: string
  native: Outcome | 'missing'
  sandbox: Outcome | 'missing'
  /** The sandbox's skip reason or failure line (the native one when the sandbox has none). */
  detail: string
  /** Why it differs, when a rule explains it; null when nothing does. */
  why: string | null
}

/** A reason a test may behave differently inside: matched against the test id and the detail. */
export interface DifferenceRule {
  /** Matched against the test id. */
  test?: RegExp
  /** Matched against the sandbox's skip reason or failure line. */
  detail?: RegExp
  /** Only for these sandbox outcomes (default: any). */
  sandbox?: readonly (Outcome | 'missing')[]
  /** Only for these native outcomes (default: any). */
  native?: readonly (Outcome | 'missing')[]
  why: string
}

const isGood = (o: Outcome | 'missing'): boolean => o === 'pass' || o === 'xfail'

export function compareOutcomes(
  native: Map<string, TestOutcome>,
  sandbox: Map<string, TestOutcome>,
  rules: readonly DifferenceRule[]
): TestDifference[] {
  const differences: TestDifference[] = []
  for (const test of new Set([...native.keys(), ...sandbox.keys()])) {
    const n = native.get(test)
    const s = sandbox.get(test)
    const nOutcome = n?.outcome ?? 'missing'
    const sOutcome = s?.outcome ?? 'missing'
    if (nOutcome === sOutcome || (isGood(nOutcome) && isGood(sOutcome))) continue
    const detail = s?.detail || n?.detail || ''
    const rule = rules.find(
      (r) =>
        (r.test === undefined || r.test.test(test)) &&
        (r.detail === undefined || r.detail.test(detail)) &&
        (r.sandbox === undefined || r.sandbox.includes(sOutcome)) &&
        (r.native === undefined || r.native.includes(nOutcome))
    )
    differences.push({ test, native: nOutcome, sandbox: sOutcome, detail, why: rule?.why ?? null })
  }
  return differences.sort((a, b) => a.test.localeCompare(b.test))
}
