/**
 * Compares builds of the runtime (python.wasm files) and V8 flags on the compute workloads of
 * bench/workloads.ts, metered as the app meters them (exportMutableGlobals + fuel slices, branch
 * hints on). The tool behind the "Compute levers" figures of the README's Benchmarks section.
 *
 *   npx tsx bench/compute-levers.ts [--rounds 2] [--samples 9] \
 *     --variant base=resources/python/python.wasm --variant opt=/tmp/opt.wasm \
 *     --variant base-inlining=resources/python/python.wasm:--wasm-inlining \
 *     --variant lean=resources/python/python.wasm?boundedEntryChecks=256
 *
 * Variants with the same flags share a process: one warm instance each (booted, workload set up),
 * then the workload alternately on each, as bench/meter.bench.ts measures the meter. A sample is
 * the CPU time (process.cpuUsage) of one fb_run: on a machine shared with other jobs, waiting for
 * a core is not the build's cost. Figures are the fastest samples (as `timeit` reports), with the
 * medians beside them; every variant is a ratio to the first one, and each run's fuel is printed,
 * so a build that changes what runs (not only how fast) shows it.
 *
 * A `?option=number` after the file sets a meter option of that variant (over the app's options),
 * to compare meter placements on the same build.
 *
 * `--baselines` adds native python3 (a process per run, setup untimed, its own time.process_time)
 * and Pyodide (npm, one interpreter in the first variant's process) as contenders, and prints every
 * variant's ratio to them too.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { instrument, type MeterOptions } from '../src/main/sandbox/meter'
import { useBranchHints } from '../src/main/sandbox/runtime'
import { PythonHost } from '../test/helpers/meter-python-host'
import { geomean, summarize, type Samples } from './harness'
import { NativePython, WORKLOADS, type Workload } from './workloads'

interface Variant {
  name: string
  wasm: string
  flags: string[]
}

/** Per runner of one process, per workload: CPU ms samples and the fuel of one run. */
type ChildResult = Record<string, { cpu: number[]; fuel: number }>[]

/** Something that runs a workload: a metered build, or a baseline. */
interface Runner {
  prepare(w: Workload): void
  /** One run of the work: its CPU ms and fuel (0 for baselines). */
  sample(w: Workload): { cpu: number; fuel: number }
}

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage()
  fn()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

/** `file.wasm?option=number&…`: the file and its meter options. */
function meteredSpec(spec: string): { file: string; options: MeterOptions } {
  const [file, query] = spec.split('?')
  const options: Record<string, number> = {}
  for (const [key, value] of new URLSearchParams(query ?? '')) options[key] = Number(value)
  return { file: file!, options: options as MeterOptions }
}

function metered(spec: string): Runner {
  const { file, options } = meteredSpec(spec)
  const module = new WebAssembly.Module(
    instrument(new Uint8Array(readFileSync(file)), {
      exportMutableGlobals: true,
      fuelSlices: true,
      ...options
    }).bytes
  )
  let host: PythonHost | null = null
  return {
    prepare(w) {
      host = new PythonHost(module)
      if (host.boot().rc !== 0) throw new Error('fb_init failed')
      if (host.run(w.setup).rc !== 0) throw new Error(`${w.name}: setup failed`)
    },
    sample(w) {
      let fuel = 0
      const cpu = cpuMs(() => {
        const r = host!.run(w.work)
        if (r.rc !== 0) throw new Error(`${w.name} failed in ${file}: ${r.stderr.slice(0, 300)}`)
        fuel = r.fuel ?? 0
      })
      return { cpu, fuel }
    }
  }
}

/** Native python3: a process per run, setup untimed; its own CPU time (time.process_time). */
function native(): Runner {
  const py = NativePython.find()
  if (!py) throw new Error('--baselines needs python3')
  return {
    prepare: () => undefined,
    sample(w) {
      const body = w.work.includes('\n') ? w.work : `_r = ${w.work}`
      const program = `${w.setup}\nimport time as _t\n_c0 = _t.process_time()\n${body}\nprint("CPU", (_t.process_time() - _c0) * 1000)`
      const r = spawnSync(py.exe, ['-c', program], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONHASHSEED: '0' }
      })
      const m = /CPU ([0-9.e+-]+)/.exec(r.stdout)
      if (r.status !== 0 || !m) throw new Error(`native python: ${w.name} failed: ${r.stderr.slice(0, 300)}`)
      return { cpu: Number(m[1]), fuel: 0 }
    }
  }
}

interface PyodideLike {
  runPython(code: string): unknown
}

/** Pyodide (npm), one interpreter in this process, setup run once per workload. */
function pyodide(py: PyodideLike): Runner {
  return {
    prepare: (w) => void (w.setup && py.runPython(w.setup)),
    sample: (w) => ({ cpu: cpuMs(() => py.runPython(w.work)), fuel: 0 })
  }
}

async function child(wasms: string[], baselines: boolean, samples: number): Promise<ChildResult> {
  useBranchHints() // as the app's runtime loader does before compiling
  const runners = wasms.map(metered)
  if (baselines) {
    const { loadPyodide } = (await import('pyodide')) as unknown as {
      loadPyodide: () => Promise<PyodideLike>
    }
    runners.push(native(), pyodide(await loadPyodide()))
  }
  const result: ChildResult = runners.map(() => ({}))
  for (const w of WORKLOADS) {
    for (const r of runners) r.prepare(w)
    for (let i = 0; i < samples + 1; i++) {
      for (const [k, runner] of runners.entries()) {
        const { cpu, fuel } = runner.sample(w)
        // The fuel of the first run after setup: the same on every run of this build (later runs in
        // the same instance find pymalloc's arenas and caches in another state).
        const entry = (result[k]![w.name] ??= { cpu: [], fuel })
        if (i > 0) entry.cpu.push(cpu) // the first run warms the instance up (tier-up, caches)
      }
    }
  }
  return result
}

function parseVariant(spec: string): Variant {
  const eq = spec.indexOf('=')
  if (eq < 1) throw new Error(`--variant name=file.wasm[:flag,flag…], got ${spec}`)
  const [wasm, flags] = spec.slice(eq + 1).split(':')
  const [file, query] = wasm!.split('?')
  return {
    name: spec.slice(0, eq),
    wasm: resolve(file!) + (query ? `?${query}` : ''),
    flags: flags ? flags.split(',') : []
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      baselines: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '2' },
      samples: { type: 'string', default: '9' },
      variant: { type: 'string', multiple: true }
    }
  })
  const samples = Number(values.samples)
  if (values.child) {
    const result = await child(values.child.split(','), values.baselines, samples)
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
    return
  }
  const variants = (values.variant ?? []).map(parseVariant)
  if (variants.length === 0) throw new Error('give at least one --variant name=file.wasm[:flags]')
  const groups = [...new Set(variants.map((v) => v.flags.join(',')))].map((flags) =>
    variants.map((_, i) => i).filter((i) => variants[i]!.flags.join(',') === flags)
  )
  // With --baselines, native python3 and Pyodide run in the first variant's process, after it.
  const names = [...variants.map((v) => v.name), ...(values.baselines ? ['native python', 'Pyodide'] : [])]
  const cpu = names.map(() => new Map<string, number[]>())
  const fuel = names.map(() => new Map<string, number>())
  for (let round = 0; round < Number(values.rounds); round++) {
    // Processes with other flags take turns, in rotating order.
    for (let g = 0; g < groups.length; g++) {
      const members = groups[(g + round) % groups.length]!
      const withBaselines = values.baselines && members.includes(0)
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
          ...(withBaselines ? ['--baselines'] : []),
          '--samples',
          `${samples}`
        ],
        { encoding: 'utf8', cwd: resolve(__dirname, '..'), maxBuffer: 1 << 26 }
      )
      const line = /RESULT (.*)/.exec(r.stdout)
      if (!line) throw new Error(`${flags.join(' ')}: ${r.stderr.slice(-2000)}`)
      const res = JSON.parse(line[1]!) as ChildResult
      const slots = [...members, ...(withBaselines ? [variants.length, variants.length + 1] : [])]
      for (const [k, i] of slots.entries()) {
        for (const [name, s] of Object.entries(res[k]!)) {
          cpu[i]!.set(name, [...(cpu[i]!.get(name) ?? []), ...s.cpu])
          fuel[i]!.set(name, s.fuel)
        }
      }
      process.stderr.write(`round ${round + 1}: ${slots.map((i) => names[i]).join(', ')} done\n`)
    }
  }
  const geomeanOver = (i: number, j: number, pick: (s: Samples) => number): number =>
    geomean(
      WORKLOADS.map((w) => pick(summarize(cpu[i]!.get(w.name)!)) / pick(summarize(cpu[j]!.get(w.name)!)))
    )
  for (const [i, name] of names.entries()) {
    const v = variants[i]
    const against = values.baselines && v ? [0, variants.length, variants.length + 1] : [0]
    console.log(
      `\n${name}${v ? ` (${v.wasm}${v.flags.length ? ' ' + v.flags.join(' ') : ''})` : ''}: ` +
        against
          .map(
            (j) =>
              `/ ${names[j]} ×${geomeanOver(i, j, (s) => s.min).toFixed(3)} fastest, ×${geomeanOver(i, j, (s) => s.median).toFixed(3)} median`
          )
          .join('; ')
    )
    for (const w of WORKLOADS) {
      const mine = summarize(cpu[i]!.get(w.name)!)
      const base = summarize(cpu[0]!.get(w.name)!)
      console.log(
        `  ${w.name}: min ${mine.min.toFixed(1)} ms cpu, p25–p50–p75 ${mine.p25.toFixed(1)}–${mine.median.toFixed(1)}–${mine.p75.toFixed(1)} (n=${mine.values.length}); / ${names[0]} ×${(mine.min / base.min).toFixed(3)} fastest, ×${(mine.median / base.median).toFixed(3)} median${v ? `; ${fuel[i]!.get(w.name)} fuel` : ''}`
      )
    }
  }
}

void main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
