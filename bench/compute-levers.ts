/**
 * Compares builds of the runtime (python.wasm files) and V8 flags on the compute workloads of
 * bench/workloads.ts, metered as the app meters them (exportMutableGlobals + fuel slices, branch
 * hints on). The tool behind the "Compute levers" figures of the README's Benchmarks section.
 *
 *   npx tsx bench/compute-levers.ts [--rounds 2] [--samples 9] \
 *     --variant base=resources/python/python.wasm --variant opt=/tmp/opt.wasm \
 *     --variant base-inlining=resources/python/python.wasm:--wasm-inlining
 *
 * Variants with the same flags share a process: one warm instance each (booted, workload set up),
 * then the workload alternately on each, as bench/meter.bench.ts measures the meter. A sample is
 * the CPU time (process.cpuUsage) of one fb_run: on a machine shared with other jobs, waiting for
 * a core is not the build's cost. Figures are the fastest samples (as `timeit` reports), with the
 * medians beside them; every variant is a ratio to the first one, and each run's fuel is printed,
 * so a build that changes what runs (not only how fast) shows it.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { instrument } from '../src/main/sandbox/meter'
import { useBranchHints } from '../src/main/sandbox/runtime'
import { PythonHost } from '../test/helpers/meter-python-host'
import { geomean, summarize } from './harness'
import { WORKLOADS } from './workloads'

interface Variant {
  name: string
  wasm: string
  flags: string[]
}

/** Per variant of one process, per workload: CPU ms samples and the fuel of one run. */
type ChildResult = Record<string, { cpu: number[]; fuel: number }>[]

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage()
  fn()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

function child(wasms: string[], samples: number): ChildResult {
  useBranchHints() // as the app's runtime loader does before compiling
  const modules = wasms.map(
    (file) =>
      new WebAssembly.Module(
        instrument(new Uint8Array(readFileSync(file)), { exportMutableGlobals: true, fuelSlices: true }).bytes
      )
  )
  const result: ChildResult = modules.map(() => ({}))
  for (const w of WORKLOADS) {
    const hosts = modules.map((m) => new PythonHost(m))
    for (const host of hosts) {
      if (host.boot().rc !== 0) throw new Error('fb_init failed')
      if (host.run(w.setup).rc !== 0) throw new Error(`${w.name}: setup failed`)
    }
    for (let i = 0; i < samples + 1; i++) {
      for (const [k, host] of hosts.entries()) {
        let fuel = 0
        const ms = cpuMs(() => {
          const r = host.run(w.work)
          if (r.rc !== 0) throw new Error(`${w.name} failed in ${wasms[k]}: ${r.stderr.slice(0, 300)}`)
          fuel = r.fuel ?? 0
        })
        // The fuel of the first run after setup: the same on every run of this build (later runs in
        // the same instance find pymalloc's arenas and caches in another state).
        const entry = (result[k]![w.name] ??= { cpu: [], fuel })
        if (i > 0) entry.cpu.push(ms) // the first run warms the instance up (tier-up, caches)
      }
    }
  }
  return result
}

function parseVariant(spec: string): Variant {
  const eq = spec.indexOf('=')
  if (eq < 1) throw new Error(`--variant name=file.wasm[:flag,flag…], got ${spec}`)
  const [wasm, flags] = spec.slice(eq + 1).split(':')
  return { name: spec.slice(0, eq), wasm: resolve(wasm!), flags: flags ? flags.split(',') : [] }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      samples: { type: 'string', default: '9' },
      variant: { type: 'string', multiple: true }
    }
  })
  const samples = Number(values.samples)
  if (values.child) {
    process.stdout.write(`RESULT ${JSON.stringify(child(values.child.split(','), samples))}\n`)
    return
  }
  const variants = (values.variant ?? []).map(parseVariant)
  if (variants.length === 0) throw new Error('give at least one --variant name=file.wasm[:flags]')
  const groups = [...new Set(variants.map((v) => v.flags.join(',')))].map((flags) =>
    variants.map((_, i) => i).filter((i) => variants[i]!.flags.join(',') === flags)
  )
  const cpu = variants.map(() => new Map<string, number[]>())
  const fuel = variants.map(() => new Map<string, number>())
  for (let round = 0; round < Number(values.rounds); round++) {
    // Processes with other flags take turns, in rotating order.
    for (let g = 0; g < groups.length; g++) {
      const members = groups[(g + round) % groups.length]!
      const flags = variants[members[0]!]!.flags
      const r = spawnSync(
        process.execPath,
        [
          ...flags,
          '--import',
          'tsx',
          __filename,
          '--child',
          members.map((i) => variants[i]!.wasm).join(','),
          '--samples',
          `${samples}`
        ],
        { encoding: 'utf8', cwd: resolve(__dirname, '..'), maxBuffer: 1 << 26 }
      )
      const line = /RESULT (.*)/.exec(r.stdout)
      if (!line) throw new Error(`${flags.join(' ')}: ${r.stderr.slice(-2000)}`)
      const res = JSON.parse(line[1]!) as ChildResult
      for (const [k, i] of members.entries()) {
        for (const [name, s] of Object.entries(res[k]!)) {
          cpu[i]!.set(name, [...(cpu[i]!.get(name) ?? []), ...s.cpu])
          fuel[i]!.set(name, s.fuel)
        }
      }
      process.stderr.write(`round ${round + 1}: ${members.map((i) => variants[i]!.name).join(', ')} done\n`)
    }
  }
  for (const [i, v] of variants.entries()) {
    const rows = WORKLOADS.map((w) => {
      const mine = summarize(cpu[i]!.get(w.name)!)
      const base = summarize(cpu[0]!.get(w.name)!)
      return { name: w.name, mine, fastest: mine.min / base.min, median: mine.median / base.median }
    })
    console.log(
      `\n${v.name} (${v.wasm}${v.flags.length ? ' ' + v.flags.join(' ') : ''}) / ${variants[0]!.name}: ` +
        `geomean ×${geomean(rows.map((r) => r.fastest)).toFixed(3)} fastest, ×${geomean(rows.map((r) => r.median)).toFixed(3)} median`
    )
    for (const r of rows) {
      console.log(
        `  ${r.name}: min ${r.mine.min.toFixed(1)} ms cpu, p25–p50–p75 ${r.mine.p25.toFixed(1)}–${r.mine.median.toFixed(1)}–${r.mine.p75.toFixed(1)} (n=${r.mine.values.length}); ×${r.fastest.toFixed(3)} fastest, ×${r.median.toFixed(3)} median; ${fuel[i]!.get(r.name)} fuel`
      )
    }
  }
}

main()
