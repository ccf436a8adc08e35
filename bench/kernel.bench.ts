/**
 * The kernel's latency and state size , each against a baseline measured in this run:
 * - a trivial cell (`1+1`) through Kernel.run, restore and snapshot included, p50/p95, against a
 *   fresh instance of the same runtime without snapshots (instantiate + fb_init + fb_run) and
 *   against the VMware CPython WASI build (`python -c`, command model);
 * - where the time of a trivial run goes (worker side: restore, instantiate, run, capture);
 * - an isolated `1+1`, and the same through the library's `runPython` (new kernel, disposed after);
 * - 100 trivial runs back to back;
 * - snapshot size and serialisation time for a kernel that imported json and holds a 1 MB list.
 */
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConsoleStdout, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim'
import { createKernelHost } from '../src/main/kernel'
import { runPython } from '../src/main/library'
import type { SnapshotKernel } from '../src/main/kernel/kernel'
import { encodeSnapshot } from '../src/main/kernel/persist'
import type { MachineState } from '../src/main/sandbox/protocol'
import { initialClockState } from '../src/main/sandbox/wasi/entropy'
import { initialFsImage, StaticTree } from '../src/main/sandbox/wasi/fs-image'
import { WasiHost } from '../src/main/sandbox/wasi/host'
import type { Limits } from '../src/shared/notebook'
import { spreadText, summarize, timeMs, type BenchFigure, type BenchMain, type Samples } from './harness'

const ROOT = resolve(__dirname, '..')
const RESOURCES = join(ROOT, 'resources', 'python')
const LIMITS: Limits = {
  fuel: 400_000_000,
  memoryBytes: 512 * 2 ** 20,
  timeoutMs: 30_000,
  outputBytes: 2_000_000,
  fsBytes: 256 * 1024 * 1024
}

/** The same runtime, unmetered, with no snapshot: what every cell would cost without the kernel. */
function freshInstanceRun(module: WebAssembly.Module, zip: Uint8Array): void {
  const tree = new StaticTree({ mountPoint: '/usr/local/lib', files: { 'python311.zip': zip } })
  const sink = { stream: () => undefined, rich: () => undefined, beforeSleep: () => undefined }
  const host = new WasiHost({
    tree,
    state: { fs: initialFsImage(tree), clock: initialClockState() },
    deterministic: false,
    sink,
    fuelConsumed: () => 0n // unmetered: nothing counts fuel
  })
  const instance = new WebAssembly.Instance(module, host.imports)
  const exports = instance.exports as unknown as {
    memory: WebAssembly.Memory
    _initialize(): void
    fb_init(): number
    fb_run(ptr: number, len: number): number
    fb_alloc(n: number): number
  }
  host.bind(exports.memory)
  exports._initialize()
  if (exports.fb_init() !== 0) throw new Error('fb_init failed')
  const code = new TextEncoder().encode('1+1')
  const ptr = exports.fb_alloc(code.length)
  new Uint8Array(exports.memory.buffer, ptr, code.length).set(code)
  if (exports.fb_run(ptr, code.length) !== 0) throw new Error('fb_run failed')
}

/** VMware Labs' CPython 3.12 WASI build (stdlib embedded), as `python -c "1+1"`. */
function vmwareRun(module: WebAssembly.Module): void {
  const fds = [
    new OpenFile(new File([])),
    new ConsoleStdout(() => undefined),
    new ConsoleStdout(() => undefined),
    new PreopenDirectory('/', new Map())
  ]
  const wasi = new WASI(['python', '-c', '1+1'], [], fds, { debug: false })
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport })
  if (
    wasi.start(instance as unknown as { exports: { memory: WebAssembly.Memory; _start(): unknown } }) !== 0
  ) {
    throw new Error('VMware python exited non-zero')
  }
}

/** A trivial run's p50 in ms with its spread and p95, as a speed-up over a fresh instance's p50. */
function speedUpRow(
  name: string,
  samples: Samples,
  fresh: Samples,
  more: Partial<BenchFigure> = {}
): BenchFigure {
  return {
    group: 'kernel',
    name,
    value: samples.median,
    unit: 'ms',
    spread: `${spreadText(samples, 'ms', 2)}, p95 ${samples.p95.toFixed(2)} ms`,
    baseline: { name: 'fresh instance, no snapshot (p50)', value: fresh.median },
    ratio: fresh.median / samples.median,
    ratioMeaning: 'speed-up (baseline / value)',
    ...more
  }
}

const main: BenchMain = async (ctx) => {
  const figures: BenchFigure[] = []
  const cacheDir = join(tmpdir(), 'fuelbook-bench-cache')
  const tHost = performance.now()
  const host = await createKernelHost({ resourcesDir: RESOURCES, cacheDir })
  const hostMs = performance.now() - tHost
  await host.whenWarmed()
  const warmMs = performance.now() - tHost
  try {
    // ---- trivial cell through Kernel.run
    const kernel = host.createKernel() as SnapshotKernel
    const trivial = () => kernel.run('1+1', { limits: LIMITS })
    for (let i = 0; i < ctx.reps(100); i++) await trivial() // let V8 finish tiering up
    const parts: Record<'restore' | 'instantiate' | 'run' | 'capture' | 'messages', number[]> = {
      restore: [],
      instantiate: [],
      run: [],
      capture: [],
      messages: []
    }
    const kernelSamples = await timeMs(
      ctx.reps(300),
      async () => {
        await trivial()
        const t = kernel.lastTimings!
        parts.restore.push(t.restoreMs)
        parts.instantiate.push(t.instantiateMs)
        parts.run.push(t.runMs)
        parts.capture.push(t.captureMs)
        parts.messages.push(t.startedAt - t.sentAt + (t.receivedAt - t.finishedAt))
      },
      0
    )

    // ---- baselines
    const wasm = readFileSync(join(RESOURCES, 'python.wasm'))
    const zip = new Uint8Array(readFileSync(join(RESOURCES, 'python311.zip')))
    const plain = new WebAssembly.Module(wasm)
    const fresh = await timeMs(ctx.reps(10), () => freshInstanceRun(plain, zip), 1)
    const vmwarePath = join(ROOT, 'node_modules', '@antonz', 'python-wasi', 'dist', 'python.wasm')
    const vmware = await timeMs(
      ctx.reps(10),
      () => vmwareRun(new WebAssembly.Module(readFileSync(vmwarePath))),
      0
    )
    const vmwareModule = new WebAssembly.Module(readFileSync(vmwarePath))
    const vmwareWarm = await timeMs(ctx.reps(10), () => vmwareRun(vmwareModule), 1)

    figures.push(
      speedUpRow('trivial cell 1+1 via Kernel.run (p50)', kernelSamples, fresh, {
        baseline: { name: 'fresh instance of the same runtime, no snapshot (p50)', value: fresh.median },
        target: '≤ 2 ms back to back, and ≥ 5x faster than a fresh instance',
        met: kernelSamples.median <= 2 && fresh.median / kernelSamples.median >= 5
      })
    )
    figures.push({
      group: 'kernel',
      name: 'trivial cell 1+1 via Kernel.run (p95)',
      value: kernelSamples.p95,
      unit: 'ms',
      baseline: { name: 'fresh instance, no snapshot (p95)', value: fresh.p95 },
      ratio: fresh.p95 / kernelSamples.p95,
      ratioMeaning: 'speed-up (baseline / value)'
    })
    figures.push({
      group: 'kernel',
      name: 'VMware CPython 3.12 WASI `python -c 1+1` (compiled module reused)',
      value: vmwareWarm.median,
      unit: 'ms',
      spread: `${spreadText(vmwareWarm, 'ms')}; with compile each time p50 ${vmware.median.toFixed(0)} ms`,
      baseline: { name: 'Kernel.run 1+1 (p50)', value: kernelSamples.median },
      ratio: vmwareWarm.median / kernelSamples.median,
      ratioMeaning: 'Kernel.run is this many times faster'
    })
    const median = (xs: number[]): number => summarize(xs).median
    figures.push({
      group: 'kernel',
      name: 'where a trivial run goes (medians)',
      value: median(parts.restore) + median(parts.instantiate) + median(parts.run) + median(parts.capture),
      unit: 'ms in the worker',
      note:
        `restore ${median(parts.restore).toFixed(2)} (memory and instance kept by the worker: ${kernel.lastTimings!.residentHit ? 'yes' : 'no'}), ` +
        `instance + WASI host ${median(parts.instantiate).toFixed(2)}, fb_run ${median(parts.run).toFixed(2)}, ` +
        `snapshot ${median(parts.capture).toFixed(2)} (${kernel.lastTimings!.changedPages} pages changed), ` +
        `messages ${median(parts.messages).toFixed(2)} ms`
    })

    // ---- isolated: S0 copied into a new memory every time (runPython's path, no resident memory)
    const isolatedSamples = await timeMs(
      ctx.reps(100),
      () => kernel.run('1+1', { limits: LIMITS, isolated: true }),
      5
    )
    figures.push(
      speedUpRow('isolated 1+1 (restore S0 by copy, no snapshot taken)', isolatedSamples, fresh, {
        note: `restore ${kernel.lastTimings!.restoreMs.toFixed(2)} ms in the last sample`
      })
    )

    // ---- the library's runPython: the speed targets' "trivial isolated cell" as a caller makes it
    // (a new kernel, one isolated run from S0, the kernel disposed, the result converted)
    const runPythonSamples = await timeMs(ctx.reps(100), () => runPython('1+1', { host }), 5)
    figures.push(
      speedUpRow("runPython('1+1'): new kernel, isolated run, disposed (p50)", runPythonSamples, fresh, {
        target: '≤ 2 ms',
        met: runPythonSamples.median <= 2
      })
    )

    // ---- 100 back to back
    const burst = performance.now()
    for (let i = 0; i < 100; i++) await trivial()
    const burstMs = performance.now() - burst
    figures.push({
      group: 'kernel',
      name: '100 trivial runs back to back',
      value: burstMs,
      unit: 'ms',
      note: `${(burstMs / 100).toFixed(2)} ms per run`
    })

    // ---- snapshot size and serialisation
    const holder = host.createKernel()
    const setup = await holder.run(
      'import json\nbig = list(range(131072))  # the list object alone is 1 MB',
      {
        limits: LIMITS
      }
    )
    if (setup.status !== 'ok') throw new Error(`setup cell: ${setup.status}`)
    // Serialising a head nobody exported before: its pages copied to new objects, so nothing
    // is reused from the page cache (which makes later exports nearly free).
    const head = (holder as unknown as { head: MachineState }).head
    const coldCopy = (): MachineState => ({
      ...head,
      memory: {
        pageCount: head.memory.pageCount,
        pages: head.memory.pages.map((p) => (p === null ? null : p.slice()))
      }
    })
    const s0 = host.s0
    let snapshot = await encodeSnapshot(coldCopy(), s0, host.runtimeHash)
    const exportSamples = await timeMs(ctx.reps(5), async () => {
      snapshot = await encodeSnapshot(coldCopy(), s0, host.runtimeHash)
    })
    const importSamples = await timeMs(ctx.reps(5), async () => {
      const k = host.createKernel()
      await k.importHead(snapshot)
      await k.dispose()
    })
    const incrementalSamples = await timeMs(ctx.reps(10), async () => {
      await holder.run('big[0] += 1', { limits: LIMITS })
      await holder.exportHead()
    })
    const compressed =
      snapshot.pages.reduce((sum, p) => sum + p.data.byteLength, 0) + snapshot.state.byteLength
    figures.push({
      group: 'kernel',
      name: 'snapshot of a kernel holding json + a 1 MB list: stored size',
      value: compressed / 2 ** 20,
      unit: 'MB',
      baseline: { name: 'its linear memory', value: holder.headMemoryBytes / 2 ** 20 },
      ratio: compressed / holder.headMemoryBytes,
      ratioMeaning: 'fraction of linear memory stored',
      note: `${snapshot.pages.length} of ${snapshot.pageCount} pages differ from S0 (brotli quality 0 per page)`
    })
    figures.push({
      group: 'kernel',
      name: 'same snapshot: serialise (export, cold)',
      value: exportSamples.median,
      unit: 'ms',
      spread: spreadText(exportSamples, 'ms'),
      note:
        `deserialise (import) p50 ${importSamples.median.toFixed(1)} ms; ` +
        `one more cell + export (only changed pages compressed) p50 ${incrementalSamples.median.toFixed(1)} ms`
    })
    figures.push({
      group: 'kernel',
      name: 'kernel host start (runtime load, S0, workers ready)',
      value: hostMs,
      unit: 'ms',
      note: `S0 from ${host.s0Source}; workers warmed up after ${warmMs.toFixed(0)} ms`
    })
  } finally {
    await host.close()
  }
  return figures
}

export default main satisfies BenchMain
