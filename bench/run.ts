/**
 * `npm run bench [-- --quick] [-- name…]`: runs every bench/*.bench.ts (or those named), prints one
 * table and writes bench/results.json with the machine, the date and every figure with its unit and
 * the baseline it is a ratio to. Ratios come from measurements made in this same run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem, platform, release } from 'node:os'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BenchContext, BenchFigure, BenchMain } from './harness'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const quick = argv.includes('--quick')
  const only = argv.filter((a) => !a.startsWith('--'))
  const dir = __dirname
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
    .sort()
  const ctx: BenchContext = {
    quick,
    reps: (full) => (quick ? Math.min(full, 2) : full),
    log: (message) => process.stderr.write(`  ${message}\n`)
  }
  const figures: BenchFigure[] = []
  const failures: string[] = []
  for (const file of files) {
    process.stderr.write(`▶ ${file}\n`)
    current = file
    try {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as { default: BenchMain }
      figures.push(...(await module.default(ctx)))
    } catch (error) {
      failures.push(
        `${basename(file)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      )
    }
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version
  }
  console.log(
    `\n${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB) · ${machine.os} · Node ${machine.node}${quick ? ' · --quick (not for numbers)' : ''}\n`
  )
  printTable(figures)
  const resultsFile = join(dir, quick ? 'results.local.json' : 'results.json')
  // Running only some benches keeps the other groups' figures of the last full run.
  const kept = only.length > 0 ? previousFigures(resultsFile, new Set(figures.map((f) => f.group))) : []
  const results = {
    date: new Date().toISOString(),
    quick,
    machine,
    figures: [...kept, ...figures]
  }
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n')
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} bench file(s) failed:\n${failures.join('\n')}\n`)
    process.exitCode = 1
  }
}

function previousFigures(file: string, replaced: Set<string>): BenchFigure[] {
  try {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as { figures?: BenchFigure[] }
    return (previous.figures ?? []).filter((f) => !replaced.has(f.group))
  } catch {
    return []
  }
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} G`
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)} M`
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)} k`
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

function printTable(figures: BenchFigure[]): void {
  const rows = figures.map((f) => [
    f.group,
    f.name,
    `${fmt(f.value)} ${f.unit}`,
    f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}` : '',
    f.ratio !== undefined ? `${f.ratio.toFixed(2)}x${f.ratioMeaning ? ` ${f.ratioMeaning}` : ''}` : '',
    f.target ? `${f.target} ${f.met === undefined ? '' : f.met ? '✓' : '✗'}` : '',
    f.spread ?? ''
  ])
  const header = ['group', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'spread']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |'
  console.log(line(header))
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const row of rows) console.log(line(row))
}

// A bench awaiting something that holds no handle (an unref'd worker, say) would let Node exit with
// code 0 halfway through, printing nothing: that is a failure, and says where it happened.
let finished = false
let current = 'startup'
process.on('beforeExit', () => {
  if (finished) return
  process.stderr.write(`\nbench stopped inside ${current}: it awaited something that keeps nothing alive\n`)
  process.exitCode = 1
})
void main().then(() => (finished = true))
