/**
 * docs/compatibility.md from the harness's results (docs/compatibility.json). Pure: no I/O.
 */
import type { FileSemanticsDifference } from './file-semantics'
import type { ComparisonStatus, ModuleComparison, SideResult } from './harness'
import type { CompatSuite } from './suite'

export interface RunInfo {
  /** ISO date of the run. */
  date: string
  machine: string
  runtime: string
}

export interface CompatResults {
  /** Per suite id, per module: the last comparison and the run it came from. */
  suites: Record<string, Record<string, { run: RunInfo; comparison: ModuleComparison }>>
}

/**
 * The results measured on `runtime` (a RunInfo's runtime text) and how many were dropped: a
 * partial run updates only the modules it ran, so rows from an earlier runtime would otherwise sit
 * in the table as if they described this one.
 */
export function resultsOfRuntime(
  results: CompatResults,
  runtime: string
): { results: CompatResults; dropped: number } {
  let dropped = 0
  const suites: CompatResults['suites'] = {}
  for (const [suite, modules] of Object.entries(results.suites)) {
    const kept = Object.entries(modules).filter(([, entry]) => entry.run.runtime === runtime)
    dropped += Object.keys(modules).length - kept.length
    suites[suite] = Object.fromEntries(kept)
  }
  return { results: { suites }, dropped }
}

const STATUS_TEXT: Record<ComparisonStatus, string> = {
  same: '✓ same',
  explained: '✓ same but platform limits',
  differs: '✗ differs',
  incomplete: '✗ did not finish',
  missing: '✗ not run: test files missing'
}

/** Where native finishing a test this fast and the sandbox running out of fuel on it is a bug. */
const FUEL_BUG_NATIVE_SECONDS = 1

const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function counts(side: SideResult): string {
  return `${side.counts.ran} / ${side.counts.failed} / ${side.counts.skipped}`
}

function gigaFuel(fuel: number): string {
  return `${(fuel / 1e9).toFixed(fuel < 1e10 ? 1 : 0)} G`
}

/** One cell of "why": the reasons, most frequent first, and what is left unexplained. */
function why(c: ModuleComparison): string {
  if (c.status === 'missing') return escape(c.native.message ?? '')
  const parts: string[] = []
  if (c.status === 'incomplete') {
    const where = c.stoppedIn === null ? '' : ` in \`${c.stoppedIn.test.split('.').slice(-2).join('.')}\``
    const native = c.stoppedIn?.nativeSeconds
    const bug =
      c.sandbox.status === 'out_of_fuel' &&
      native !== null &&
      native !== undefined &&
      native < FUEL_BUG_NATIVE_SECONDS
        ? ` — **bug**: natively that test takes ${native.toFixed(2)} s`
        : native !== null && native !== undefined
          ? ` (natively ${native.toFixed(2)} s)`
          : ''
    parts.push(`${c.sandbox.status.replace(/_/g, ' ')}${where}${bug}`)
  }
  const reasons = new Map<string, number>()
  let unexplained = 0
  let notRun = 0
  for (const d of c.differences) {
    if (d.why !== null) reasons.set(d.why, (reasons.get(d.why) ?? 0) + 1)
    else if (d.sandbox === 'missing') notRun++
    else unexplained++
  }
  if (notRun > 0) parts.push(`${notRun} tests not run inside`)
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1])) parts.push(`${n} × ${reason}`)
  if (unexplained > 0) parts.push(`${unexplained} unexplained (below)`)
  return escape(parts.join('; '))
}

function moduleDetails(c: ModuleComparison, limit = 25): string[] {
  const unexplained = c.differences.filter((d) => d.why === null)
  // Tests that never ran inside (after a module-level error) are counted, not listed.
  const open = unexplained.filter((d) => d.sandbox !== 'missing')
  const notRun = unexplained.length - open.length
  if (unexplained.length === 0) return []
  const lines = [`**${c.module}** (${unexplained.length}):`, '']
  for (const d of open.slice(0, limit)) {
    const detail = d.detail === '' ? '' : `: ${d.detail.slice(0, 160)}`
    lines.push(
      `- \`${d.test.replace(/^test\./, '')}\` native ${d.native}, sandbox ${d.sandbox}${escape(detail)}`
    )
  }
  if (open.length > limit) lines.push(`- … and ${open.length - limit} more`)
  if (notRun > 0) lines.push(`- ${notRun} tests that pass natively did not run inside`)
  lines.push('')
  return lines
}

const failedInside = (d: { sandbox: string }): boolean => d.sandbox === 'fail' || d.sandbox === 'error'

/**
 * Tests that fail inside (not skip) for a listed platform limit: named one by one, since a failure
 * is what a user reading "n failed" in the counts looks for.
 */
function explainedFailures(c: ModuleComparison): string[] {
  return c.differences
    .filter((d) => d.why !== null && failedInside(d))
    .map(
      (d) =>
        `- ${c.module}: \`${d.test.replace(/^test\./, '')}\` native ${d.native}, sandbox ${d.sandbox}${escape(d.detail === '' ? '' : `: ${d.detail.slice(0, 160)}`)} (${d.why})`
    )
}

export function renderCompatibility(
  suites: readonly CompatSuite[],
  results: CompatResults,
  fileSemantics: readonly FileSemanticsDifference[]
): string {
  const out: string[] = [
    '# Compatibility with native CPython',
    '',
    'Written by `npm run compat` (test/compat/, data in docs/compatibility.json); do not edit by hand.',
    'Each module runs natively and inside the sandbox; counts are tests **ran / failed / skipped**',
    '(failed includes errors). "Same but platform limits": every test that behaves differently does so for a',
    'listed reason (no processes, threads, network, …). A module that stops inside (fuel, time) is a',
    'failure; running out of fuel on a test native CPython finishes in under a second is marked a bug.',
    ''
  ]
  for (const suite of suites) {
    const rows = suite.modules
      .map((m) => results.suites[suite.id]?.[m.name])
      .filter((r): r is NonNullable<typeof r> => r !== undefined)
    out.push(`## ${suite.title}`, '', suite.description, '')
    if (rows.length === 0) {
      out.push('Not run yet.', '')
      continue
    }
    const tally = new Map<ComparisonStatus, number>()
    for (const { comparison } of rows) tally.set(comparison.status, (tally.get(comparison.status) ?? 0) + 1)
    const runs = [
      ...new Set(rows.map((r) => `${r.run.date.slice(0, 16).replace('T', ' ')} UTC, ${r.run.runtime}`))
    ]
    out.push(
      `${rows.length} modules: ${[...tally].map(([s, n]) => `${n} ${STATUS_TEXT[s]}`).join(', ')}.`,
      `Run${runs.length > 1 ? 's' : ''}: ${runs.join('; ')} on ${rows[0]!.run.machine}.`,
      '',
      '| module | native | sandbox | native time | sandbox time, fuel | status | why |',
      '|---|---|---|---|---|---|---|'
    )
    for (const { comparison: c } of rows) {
      const fuel = c.sandbox.fuel === null ? '' : `, ${gigaFuel(c.sandbox.fuel)}`
      out.push(
        `| ${c.module} | ${counts(c.native)} | ${counts(c.sandbox)} | ${(c.native.wallMs / 1000).toFixed(1)} s | ${(c.sandbox.wallMs / 1000).toFixed(1)} s${fuel} | ${STATUS_TEXT[c.status]} | ${why(c)} |`
      )
    }
    out.push('')
    const failures = rows.flatMap(({ comparison }) => explainedFailures(comparison))
    if (failures.length > 0) out.push('### Tests that fail inside for a platform limit', '', ...failures, '')
    const details = rows.flatMap(({ comparison }) => moduleDetails(comparison))
    if (details.length > 0) out.push('### Differences not explained yet', '', ...details)
  }
  out.push(
    '## File semantics',
    '',
    "`test/integration/wasi-errno.test.ts` runs `test/fixtures/compat/wasi-errno-cases.py` natively and inside and compares every file call's errno. These differ, and why:",
    '',
    '| case | native | sandbox | why |',
    '|---|---|---|---|',
    ...fileSemantics.map((d) => `| ${d.case} | ${d.native} | ${d.sandbox} | ${escape(d.why)} |`),
    ''
  )
  return out.join('\n')
}
