/**
 * Trains the profile of the runtime's profile-guided build (scripts/build-python-wasi.sh,
 * "profile-guided optimisation"): runs an instrumented python.wasm (built with
 * -fprofile-instr-generate and compiler-rt's profile runtime) on the bench workloads and a subset
 * of CPython's own test suite, then has it write its counters (fb_pgo_write) to a .profraw file.
 *
 *   npx tsx scripts/pgo-train.ts --wasm python-instrumented.wasm --zip python311.zip \
 *     --lib Python-3.11.2/Lib --out folder
 *
 * The host is node:wasi with real folders, so the instrumented module writes its profile straight
 * to disk; it is a training run, not the sandbox (no meter, no snapshot).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { WASI } from 'node:wasi'
import { WORKLOADS, timedWork } from '../bench/workloads'

/**
 * CPython test modules that exercise what notebook code spends its time in: containers, strings,
 * numbers, classes, generators, json, re. A short list: an instrumented interpreter on a busy
 * 2-core machine takes 20-40 s per module (test_json: 24 s uninstrumented).
 */
const TEST_MODULES = [
  'test_json',
  'test_re',
  'test_sort',
  'test_set',
  'test_class',
  'test_generators',
  'test_float'
]

/** Rounds of each workload: enough that its loops dominate its counters, as in a bench run. */
const WORKLOAD_ROUNDS = 3

interface Exports {
  memory: WebAssembly.Memory
  _initialize(): void
  fb_alloc(size: number): number
  fb_init(): number
  fb_run(ptr: number, len: number): number
  fb_pgo_write?(ptr: number, len: number): number
}

function main(): void {
  const { values } = parseArgs({
    options: {
      wasm: { type: 'string' },
      zip: { type: 'string' },
      lib: { type: 'string' },
      out: { type: 'string' }
    }
  })
  if (!values.wasm || !values.zip || !values.lib || !values.out) {
    throw new Error('usage: pgo-train.ts --wasm file --zip file --lib CPython/Lib --out folder')
  }
  const out = resolve(values.out)
  mkdirSync(out, { recursive: true })
  const scratch = mkdtempSync(join(tmpdir(), 'fuelbook-pgo-'))
  mkdirSync(join(scratch, 'lib'))
  mkdirSync(join(scratch, 'tmp'))
  copyFileSync(values.zip, join(scratch, 'lib', 'python311.zip'))
  const wasi = new WASI({
    version: 'preview1',
    args: [],
    env: {},
    preopens: {
      '/usr/local/lib': join(scratch, 'lib'),
      '/tmp': join(scratch, 'tmp'),
      '/pgo-lib': resolve(values.lib),
      '/pgo-out': out
    }
  })
  const module = new WebAssembly.Module(readFileSync(values.wasm))
  const instance = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: wasi.wasiImport,
    fuelbook: {
      emit: () => undefined,
      fuel_consumed: () => 0n,
      mode_bits: () => -1,
      set_mode_bits: () => 0
    }
  } as WebAssembly.Imports)
  const ex = instance.exports as unknown as Exports
  wasi.initialize(instance)
  if (ex.fb_init() !== 0) throw new Error('fb_init failed')

  const encoder = new TextEncoder()
  const pass = (text: string): [number, number] => {
    const bytes = encoder.encode(text)
    const ptr = ex.fb_alloc(bytes.length)
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes)
    return [ptr, bytes.length]
  }
  const run = (code: string): number => ex.fb_run(...pass(code))
  const write = (): void => {
    if (!ex.fb_pgo_write) return // an uninstrumented module: a dry run that only times the training
    const status = ex.fb_pgo_write(...pass('/pgo-out/python.profraw'))
    if (status !== 0) throw new Error(`fb_pgo_write answered ${status}`)
  }

  for (const w of WORKLOADS) {
    if (run(w.setup) !== 0) throw new Error(`${w.name}: setup failed`)
    for (let i = 0; i < WORKLOAD_ROUNDS; i++) {
      if (run(timedWork(w)) !== 0) throw new Error(`${w.name}: work failed`)
    }
  }
  write()
  console.log(`workloads done: ${WORKLOADS.length} x ${WORKLOAD_ROUNDS}`)

  // Test modules run in a namespace of their own; a failing test is fine (the sandbox lacks
  // threads, processes and sockets), the code it ran still counts.
  run('import sys, unittest\nsys.path.insert(0, "/pgo-lib")')
  for (const name of TEST_MODULES) {
    const t0 = Date.now()
    const status = run(
      `_r = unittest.TextTestRunner(stream=__import__("io").StringIO(), verbosity=0).run(` +
        `unittest.defaultTestLoader.loadTestsFromName("test.${name}"))\n` +
        `print("${name}", _r.testsRun, "run", len(_r.failures) + len(_r.errors), "failed", len(_r.skipped), "skipped")`
    )
    console.log(`  ${name}: status ${status}, ${Date.now() - t0} ms`)
    write()
  }
  rmSync(scratch, { recursive: true, force: true })
  console.log(`profile written to ${join(out, 'python.profraw')}`)
}

main()
