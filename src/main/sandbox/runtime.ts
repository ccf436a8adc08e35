/**
 * The I/O edge of the Python runtime: find resources/python, check python.wasm against
 * MANIFEST.json (sha256), fuel-instrument it through the meter with an on-disk cache, compile it.
 *
 * The cache pays the ~0.1–0.3 s instrumentation once per install: one file per (input sha256,
 * METER_VERSION, options), written to a temp file and renamed into place so a crash never leaves
 * a half-written entry; an entry that fails its own checks (magic, lengths, crc32 of the bytes,
 * key) is treated as absent and rebuilt. Every expected failure is a typed result, never a throw.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { crc32 } from 'node:zlib'
import { fail, ok, type Result } from '../../shared/result'
import { withoutEmptyDataSegments } from './empty-data'
import { readWhole } from './read-whole'
import { instrument, METER_VERSION, MeterError, type MeteredModule, type MeterOptions } from './meter'

/**
 * Lets V8 read the meter's branch hints (the fuel checks' out-of-fuel paths are unlikely), so the
 * fuel-slice hook's call costs no register spills on the hot path: +2% instead of +6% (meter
 * README, "Fuel slices"). Node 20's V8 has the proposal behind this flag; it is process-wide
 * (workers included) and must be set before the module is compiled.
 */
export function useBranchHints(): void {
  setFlagsFromString('--experimental-wasm-branch-hinting')
}

/**
 * V8 tiers a wasm function up (TurboFan, on a background thread) once it has run through a budget
 * of executed bytes. The interpreter loop (~112 KB of code) spends the default budget (1.8 M) within
 * the first few thousand bytecodes, so even `1+1` starts a TurboFan compile of it (~0.3–0.5 s of
 * CPU), and a process cannot exit until that compile ends. In a process that makes one run and
 * exits (`fuelbook exec`) a budget of 2 G lets a trivial run end without it, and on the 2-core
 * machine made the compute workloads faster too (fewer compiles competing with the run; measured in
 * src/main/kernel/README.md, "Cold start"). Process-wide (workers included); set before the first
 * instance is made.
 */
export function useLateTierUp(): void {
  setFlagsFromString('--wasm-tiering-budget=2000000000')
}

export interface RuntimeManifest {
  wasm: string
  stdlibZip: string
  stdlibMountPath: string
  artifacts: Record<string, { sha256: string; size: number }>
}

export type RuntimeErrorCode =
  'not_found' | 'manifest_invalid' | 'checksum_mismatch' | 'meter_failed' | 'compile_failed'

export interface RuntimeError {
  code: RuntimeErrorCode
  message: string
}

export interface LoadRuntimeOptions {
  /** Directory holding the instrumented-module cache (created if missing). */
  cacheDir: string
  /** Use this directory instead of `<appRoot>/resources/python`. */
  runtimeDir?: string
  /** The app root; by default the nearest ancestor of this file holding resources/python/MANIFEST.json. */
  appRoot?: string
  meter?: MeterOptions
  /**
   * Called once the module's bytes are handed to V8, which compiles on threads of its own (or once
   * loading failed before that): the main thread is free from then until the module is ready, the
   * moment for the caller's own hashing of other files (kernel/runtime-source.ts).
   */
  onCompileStarted?: () => void
}

export interface LoadedRuntime {
  module: WebAssembly.Module
  dir: string
  manifest: RuntimeManifest
  /** Absolute path of the stdlib zip, to mount read-only at `manifest.stdlibMountPath`. */
  stdlibZipPath: string
  /** sha256 of the original python.wasm. */
  sha256: string
  /** The meter's description of the instrumented module (without its bytes). */
  metered: Omit<MeteredModule, 'bytes'>
  cache: 'hit' | 'miss' | 'rebuilt'
  timings: { readMs: number; instrumentMs: number; compileMs: number }
}

const refuse = (code: RuntimeErrorCode, message: string): { ok: false; error: RuntimeError } =>
  fail({ code, message })

/**
 * The runtime folder an app root uses: `FUELBOOK_RUNTIME_DIR` when set (a development runtime,
 * made by `ZIP_ONLY_OUT=dir scripts/build-python-wasi.sh`; see runtime/README.md), else
 * `<appRoot>/resources/python`. Either folder is verified against its own MANIFEST.json.
 */
export function runtimeDirOf(appRoot: string): string {
  return process.env.FUELBOOK_RUNTIME_DIR ?? join(appRoot, 'resources', 'python')
}

/** `<appRoot>/resources/python`, or the override; null when no runtime is found. */
function locateRuntimeDir(options: { runtimeDir?: string; appRoot?: string } = {}): string | null {
  if (options.runtimeDir) return resolve(options.runtimeDir)
  if (options.appRoot) return resolve(options.appRoot, 'resources', 'python')
  // Source tree (src/main/sandbox), bundle (out/main) or packaged app: walk up to the app root.
  for (let dir = __dirname, i = 0; i < 8; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'python', 'MANIFEST.json'))) return join(dir, 'resources', 'python')
  }
  return null
}

export async function loadRuntime(options: LoadRuntimeOptions): Promise<Result<LoadedRuntime, RuntimeError>> {
  let started = false
  const compileStarted = (): void => {
    if (!started) options.onCompileStarted?.()
    started = true
  }
  try {
    return await readAndCompile(options, compileStarted)
  } finally {
    compileStarted()
  }
}

async function readAndCompile(
  options: LoadRuntimeOptions,
  compileStarted: () => void
): Promise<Result<LoadedRuntime, RuntimeError>> {
  const t0 = performance.now()
  const dir = locateRuntimeDir(options)
  if (!dir)
    return refuse(
      'not_found',
      'the Python runtime (resources/python) was not found: reinstall Fuelbook or pass its location'
    )
  const manifest = await readManifest(dir)
  if (!manifest.ok) return manifest
  const m = manifest.value
  const expected = m.artifacts[m.wasm]?.sha256
  if (!expected)
    return refuse('manifest_invalid', `${join(dir, 'MANIFEST.json')} lists no sha256 for ${m.wasm}`)
  const meterOptions = canonicalOptions(options.meter ?? {})
  // The cache is keyed by the manifest's sha256 and holds the instrumented module made from a
  // python.wasm of that hash, checked when the entry was written: a hit needs neither the original
  // bytes nor their hash (~60 ms of a short process's start). Whoever reads python.wasm later (the
  // boot of S0, kernel/runtime-source.ts) checks it against the manifest itself.
  const cached = await readCache(options.cacheDir, expected, meterOptions)
  const t1 = performance.now()
  let bytes: Uint8Array<ArrayBuffer>
  let metered: Omit<MeteredModule, 'bytes'>
  let cache: LoadedRuntime['cache']
  if (cached.kind === 'hit') {
    bytes = cached.bytes
    metered = cached.metered
    cache = 'hit'
  } else {
    const wasm = await readVerified(join(dir, m.wasm), expected)
    if (!wasm.ok) return wasm
    try {
      const result = instrument(wasm.value, meterOptions)
      // Checked here, once per cache entry: the check validates the whole module (~40 ms).
      bytes = withoutEmptyDataSegments(result.bytes) ?? result.bytes
      const { bytes: _, ...rest } = result
      metered = rest
    } catch (e) {
      if (e instanceof MeterError)
        return refuse('meter_failed', `the fuel meter could not instrument ${m.wasm}: ${e.message}`)
      throw e
    }
    cache = cached.kind === 'corrupt' ? 'rebuilt' : 'miss'
    await writeCache(options.cacheDir, expected, meterOptions, bytes, metered)
  }
  const t2 = performance.now()

  let module: WebAssembly.Module
  try {
    useBranchHints()
    const compiling = WebAssembly.compile(bytes)
    compileStarted()
    module = await compiling
  } catch (e) {
    return refuse('compile_failed', `the instrumented runtime does not compile: ${(e as Error).message}`)
  }
  const t3 = performance.now()
  return {
    ok: true,
    value: {
      module,
      dir,
      manifest: m,
      stdlibZipPath: join(dir, m.stdlibZip),
      sha256: expected,
      metered,
      cache,
      timings: { readMs: t1 - t0, instrumentMs: t2 - t1, compileMs: t3 - t2 }
    }
  }
}

/**
 * A runtime artifact's bytes, checked against the sha256 MANIFEST.json gives for it: a damaged or
 * replaced file is refused with a message saying so.
 */
export async function readVerified(
  path: string,
  expectedSha256: string
): Promise<Result<Uint8Array<ArrayBuffer>, RuntimeError>> {
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = new Uint8Array(await readFile(path))
  } catch {
    return refuse(
      'not_found',
      `${path} is missing: reinstall Fuelbook or rebuild the runtime (scripts/build-python-wasi.sh)`
    )
  }
  const found = sha256Hex(bytes)
  if (found !== expectedSha256) {
    return refuse(
      'checksum_mismatch',
      `${path} does not match MANIFEST.json (expected sha256 ${expectedSha256}, found ${found}): the file is damaged or was replaced; reinstall Fuelbook or rebuild the runtime`
    )
  }
  return ok(bytes)
}

/** A runtime folder's MANIFEST.json, checked for the fields every loader needs. */
export async function readManifest(dir: string): Promise<Result<RuntimeManifest, RuntimeError>> {
  const path = join(dir, 'MANIFEST.json')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return refuse('not_found', `${path} is missing: the Python runtime is incomplete; reinstall Fuelbook`)
  }
  try {
    const m = JSON.parse(text) as Partial<RuntimeManifest>
    if (
      typeof m.wasm !== 'string' ||
      typeof m.stdlibZip !== 'string' ||
      typeof m.artifacts !== 'object' ||
      m.artifacts === null
    ) {
      return refuse('manifest_invalid', `${path} lacks "wasm", "stdlibZip" or "artifacts"`)
    }
    return ok(m as RuntimeManifest)
  } catch {
    return refuse('manifest_invalid', `${path} is not valid JSON`)
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Options with defaults filled in, in a fixed key order: the cache key must not depend on spelling. */
function canonicalOptions(o: MeterOptions): Required<MeterOptions> {
  return {
    importMemory: o.importMemory ?? false,
    dropActiveDataSegments: o.dropActiveDataSegments ?? false,
    exportMutableGlobals: o.exportMutableGlobals ?? false,
    functionEntryCost: o.functionEntryCost ?? 1,
    fuelSlices: o.fuelSlices ?? false,
    recordFailedGrow: o.recordFailedGrow ?? false,
    boundedEntryChecks: o.boundedEntryChecks ?? 0,
    backEdgeChecks: o.backEdgeChecks ?? false
  }
}

// --- cache entry: "FBMETER<format>" | u32 meta length | meta JSON | instrumented wasm ---
// The check is a crc32 (it catches a damaged file; 2 ms against 30 ms for a sha256 of ~10 MB).
// Format 3 stores the module without the meter's empty data segments (empty-data.ts). The format
// is in the file name too, so a process of an older build sharing the cache folder keeps its own
// entry instead of rebuilding the other's at every start.

const CACHE_FORMAT = 3
const MAGIC = new TextEncoder().encode(`FBMETER${CACHE_FORMAT}`)

interface CacheMeta {
  inputSha256: string
  meterVersion: number
  options: Required<MeterOptions>
  outputCrc32: number
  outputLength: number
  metered: Omit<MeteredModule, 'bytes'>
}

function cachePath(cacheDir: string, sha256: string, options: Required<MeterOptions>): string {
  const optionsKey = createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 12)
  return join(
    cacheDir,
    `python-${sha256.slice(0, 24)}-meter${METER_VERSION}-${optionsKey}.fbmeter${CACHE_FORMAT}`
  )
}

type CacheRead =
  | { kind: 'hit'; bytes: Uint8Array<ArrayBuffer>; metered: Omit<MeteredModule, 'bytes'> }
  | { kind: 'absent' }
  | { kind: 'corrupt' }

async function readCache(
  cacheDir: string,
  sha256: string,
  options: Required<MeterOptions>
): Promise<CacheRead> {
  let file: Uint8Array<ArrayBuffer>
  try {
    file = await readWhole(cachePath(cacheDir, sha256, options))
  } catch {
    return { kind: 'absent' }
  }
  try {
    if (file.length < MAGIC.length + 4 || MAGIC.some((b, i) => file[i] !== b)) return { kind: 'corrupt' }
    const metaLength = new DataView(file.buffer, file.byteOffset + MAGIC.length, 4).getUint32(0, true)
    const metaEnd = MAGIC.length + 4 + metaLength
    if (metaEnd > file.length) return { kind: 'corrupt' }
    const meta = JSON.parse(new TextDecoder().decode(file.subarray(MAGIC.length + 4, metaEnd))) as CacheMeta
    const bytes = file.subarray(metaEnd)
    const valid =
      meta.inputSha256 === sha256 &&
      meta.meterVersion === METER_VERSION &&
      JSON.stringify(meta.options) === JSON.stringify(options) &&
      meta.outputLength === bytes.length &&
      meta.outputCrc32 === crc32(bytes)
    return valid ? { kind: 'hit', bytes, metered: meta.metered } : { kind: 'corrupt' }
  } catch {
    return { kind: 'corrupt' }
  }
}

async function writeCache(
  cacheDir: string,
  sha256: string,
  options: Required<MeterOptions>,
  bytes: Uint8Array,
  metered: Omit<MeteredModule, 'bytes'>
): Promise<void> {
  const meta: CacheMeta = {
    inputSha256: sha256,
    meterVersion: METER_VERSION,
    options,
    outputCrc32: crc32(bytes),
    outputLength: bytes.length,
    metered
  }
  const metaBytes = new TextEncoder().encode(JSON.stringify(meta))
  const header = new Uint8Array(MAGIC.length + 4)
  header.set(MAGIC)
  new DataView(header.buffer).setUint32(MAGIC.length, metaBytes.length, true)
  const path = cachePath(cacheDir, sha256, options)
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await mkdir(cacheDir, { recursive: true })
    await writeFile(temp, Buffer.concat([header, metaBytes, bytes]))
    await rename(temp, path) // atomic: readers see the old entry or the whole new one
  } catch {
    // A cache we cannot write (read-only or full disk) only costs the next start its time.
    await rm(temp, { force: true }).catch(() => undefined)
  }
}
