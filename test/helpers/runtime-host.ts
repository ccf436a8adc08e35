/**
 * Test-only host for the raw Python runtime in resources/python: enough WASI (browser_wasi_shim)
 * and the one `fuelbook.emit` import to call fb_init / fb_run / fb_call directly. The product's
 * host (limits, snapshots, streaming) lives in src/main/sandbox/wasi/; this one exists so the
 * runtime can be tested on its own.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim'
import { RUNTIME_DIR } from './runtime-dir'

export const PYTHON_DIR = RUNTIME_DIR

export interface RuntimeManifest {
  wasm: string
  stdlibZip: string
  stdlibMountPath: string
  imports?: { fuelbook?: string[] }
  artifacts: Record<string, { sha256: string; size: number }>
}

export function readManifest(): RuntimeManifest {
  return JSON.parse(readFileSync(join(PYTHON_DIR, 'MANIFEST.json'), 'utf8')) as RuntimeManifest
}

/**
 * The runtime's permission-bit imports for a host that keeps none (the plain shim's file system):
 * every inode shows the usual 0644/0755 and chmod is accepted and forgotten, as on CPython's own
 * WASI build. The sandbox's host keeps and enforces them (src/main/sandbox/wasi/host.ts).
 */
export const WITHOUT_PERMISSION_BITS = {
  mode_bits: (): number => -1,
  set_mode_bits: (): number => 0
}

export enum EmitKind {
  DisplayData = 1,
  ExecuteResult = 2,
  Error = 3,
  Reply = 4,
  ClearOutput = 5
}

export interface RichRecord {
  kind: EmitKind
  payload: unknown
}

export interface RunResult {
  rc: number
  stdout: string
  stderr: string
  rich: RichRecord[]
  /** stdout as the host received it, one entry per fd_write: shows when the runtime flushed. */
  stdoutWrites: string[]
}

export interface RuntimeExports {
  memory: WebAssembly.Memory
  _initialize(): void
  fb_alloc(size: number): number
  fb_free(ptr: number): void
  fb_init(): number
  fb_run(ptr: number, len: number): number
  fb_call(ptr: number, len: number): number
  fb_exit_code(): number
}

let cachedModule: WebAssembly.Module | undefined
let cachedZip: Uint8Array | undefined

export function runtimeModule(): WebAssembly.Module {
  cachedModule ??= new WebAssembly.Module(readFileSync(join(PYTHON_DIR, readManifest().wasm)))
  return cachedModule
}

export function stdlibZip(): Uint8Array {
  cachedZip ??= new Uint8Array(readFileSync(join(PYTHON_DIR, 'python311.zip')))
  return cachedZip
}

/** A read-only File over the cached zip bytes (File's constructor would copy 4 MB per instance). */
function sharedZipFile(): File {
  const file = new File(new Uint8Array(0), { readonly: true })
  file.data = stdlibZip()
  return file
}

/**
 * The fds the runtime expects: empty stdin, stdout and stderr to the given sinks, and a root with the
 * stdlib zip read-only at /usr/local/lib/python311.zip and an empty /tmp.
 */
export function runtimeFds(onStdout: (chunk: Uint8Array) => void, onStderr: (chunk: Uint8Array) => void) {
  const root = new Map<string, File | Directory>([
    [
      'usr',
      new Directory([
        ['local', new Directory([['lib', new Directory([['python311.zip', sharedZipFile()]])]])]
      ])
    ],
    ['tmp', new Directory([])]
  ])
  return [
    new OpenFile(new File(new Uint8Array(0), { readonly: true })),
    new ConsoleStdout(onStdout),
    new ConsoleStdout(onStderr),
    new PreopenDirectory('/', root)
  ]
}

export class RuntimeInstance {
  readonly exports: RuntimeExports
  private stdout: Uint8Array[] = []
  private stderr: Uint8Array[] = []
  private rich: RichRecord[] = []
  private readonly decoder = new TextDecoder()

  private constructor(module: WebAssembly.Module) {
    const fds = runtimeFds(
      (chunk) => this.stdout.push(chunk.slice()),
      (chunk) => this.stderr.push(chunk.slice())
    )
    const wasi = new WASI([], [], fds, { debug: false })
    const instance = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: wasi.wasiImport,
      fuelbook: {
        emit: (kind: number, ptr: number, len: number) => {
          const bytes = new Uint8Array(this.exports.memory.buffer, ptr, len)
          this.rich.push({ kind, payload: JSON.parse(this.decoder.decode(bytes)) })
        },
        fuel_consumed: () => 0n, // unmetered: nothing counts fuel
        ...WITHOUT_PERMISSION_BITS
      }
    })
    this.exports = instance.exports as unknown as RuntimeExports
    wasi.initialize(instance as unknown as { exports: { memory: WebAssembly.Memory; _initialize(): void } })
  }

  /** A new instance after `_initialize` and `fb_init` (throws if fb_init fails). */
  static boot(module: WebAssembly.Module = runtimeModule()): RuntimeInstance {
    const runtime = new RuntimeInstance(module)
    const rc = runtime.exports.fb_init()
    const boot = runtime.take(rc)
    if (rc !== 0) throw new Error(`fb_init returned ${rc}: ${boot.stderr}`)
    return runtime
  }

  /** Runs a cell; returns fb_run's status and everything the cell wrote. */
  run(code: string): RunResult {
    return this.take(this.withString(code, (ptr, len) => this.exports.fb_run(ptr, len)))
  }

  /** Runs a driver command; returns its kind-4 reply. */
  call<T = Record<string, unknown>>(request: Record<string, unknown>): T {
    const result = this.take(
      this.withString(JSON.stringify(request), (ptr, len) => this.exports.fb_call(ptr, len))
    )
    const replies = result.rich.filter((r) => r.kind === EmitKind.Reply)
    if (result.rc !== 0 || replies.length !== 1) {
      throw new Error(`fb_call failed (rc ${result.rc}): ${result.stderr}`)
    }
    return replies[0]!.payload as T
  }

  exitCode(): number {
    return this.exports.fb_exit_code()
  }

  private withString(text: string, fn: (ptr: number, len: number) => number): number {
    const bytes = new TextEncoder().encode(text)
    const ptr = this.exports.fb_alloc(bytes.length)
    new Uint8Array(this.exports.memory.buffer, ptr, bytes.length).set(bytes)
    try {
      return fn(ptr, bytes.length)
    } finally {
      this.exports.fb_free(ptr)
    }
  }

  private take(rc: number): RunResult {
    const concat = (chunks: Uint8Array[]): string => this.decoder.decode(Buffer.concat(chunks))
    const result = {
      rc,
      stdout: concat(this.stdout),
      stderr: concat(this.stderr),
      rich: this.rich,
      stdoutWrites: this.stdout.map((chunk) => this.decoder.decode(chunk))
    }
    this.stdout = []
    this.stderr = []
    this.rich = []
    return result
  }
}
