/**
 * The packages of one open notebook: `%pip` commands and the Packages section's calls, run in the host
 * (the sandbox has no network), stored in the notebook file, mounted into its kernel. One instance
 * per NotebookSession; installs are serialised with the session's runs by the caller.
 */
import type { AppSettings } from '../../shared/app-settings'
import type { Output } from '../../shared/notebook'
import { mergeStreams } from '../../shared/output-model'
import type { PackageInfo } from '../../shared/packages'
import { fail, ok, type Result } from '../../shared/result'
import { createHash } from 'node:crypto'
import type { CompiledWheel, Kernel } from '../kernel/types'
import {
  bytecodeFile,
  normalizeName,
  parseInstall,
  planInstall,
  type PlannedInstall,
  type InstallArgs,
  type PipCommand,
  type StoredWheel
} from '../packages'
import type { MountedWheel } from '../sandbox/wasi/fs-image'
import type { NotebookStore } from '../store'

export class NotebookPackages {
  constructor(
    private readonly store: NotebookStore,
    private readonly kernel: Kernel,
    private readonly settings: () => AppSettings,
    private readonly changed: (packages: PackageInfo[]) => void,
    /** What an install does now; `null` once it ended (src/shared/api.ts, packagesProgress). */
    private readonly progress: (text: string | null) => void,
    /** Where relative `.whl` and --find-links paths start (the notebook's folder). */
    private readonly cwd: string,
    /** The runtime's sha256 (KernelHost.runtimeHash): a bytecode cache is only for the runtime that made it. */
    private readonly runtime: string
  ) {}

  /** What is mounted now, by wheel sha256 (a wheel is read from the file once per change). */
  private mounted = new Map<string, MountedWheel>()
  /** Caches made this session that a read-only file could not keep, by wheel sha256. */
  private readonly unstored = new Map<string, { sha256: string; bytes: Uint8Array }>()
  /** Wheels whose compile failed this session: not tried again before the next change. */
  private readonly failed = new Set<string>()

  list(): PackageInfo[] {
    return this.store.listPackages()
  }

  /**
   * Gives the kernel every stored wheel, in name order (the order they join sys.path), each with its
   * bytecode cache when the file holds an intact one for this runtime (a damaged one is as none:
   * ensureBytecode makes it again).
   */
  mount(): void {
    const wheels: MountedWheel[] = []
    const mounted = new Map<string, MountedWheel>()
    for (const p of this.store.listPackages()) {
      const known = this.mounted.get(p.sha256)
      const bytes = known?.bytes ?? this.store.packageWheel(p.name)
      if (bytes === null) continue
      const wheel: MountedWheel = {
        filename: p.filename,
        sha256: p.sha256,
        bytes: known ? bytes : shared(bytes)
      }
      const cache = known?.bytecode ?? this.storedBytecode(p.sha256)
      if (cache !== null) wheel.bytecode = cache
      wheels.push(wheel)
      mounted.set(p.sha256, wheel)
    }
    this.mounted = mounted
    this.kernel.setPackages(wheels)
  }

  /**
   * Makes the bytecode caches the mounted wheels lack (installed before caches existed, or with
   * another runtime, or damaged in the file), stores them and mounts them: before any run that
   * mounts those wheels, so that a module's import costs the same fuel in every session. The
   * progress line says why the run waits. A wheel that cannot be compiled stays without a cache
   * (its modules compile on import, as before).
   */
  async ensureBytecode(): Promise<void> {
    const lacking = this.lacking()
    if (lacking.length === 0) return
    const names = new Map(this.store.listPackages().map((p) => [p.sha256, p.displayName]))
    try {
      for (const wheel of lacking) {
        this.progress(`Compiling ${names.get(wheel.sha256) ?? wheel.filename}…`)
        let cache: { sha256: string; bytes: Uint8Array }
        let compiled: CompiledWheel
        try {
          compiled = await this.kernel.compileWheel(wheel)
          const bytes = shared(bytecodeFile(compiled.entries))
          cache = { sha256: sha256Hex(bytes), bytes }
        } catch {
          this.failed.add(wheel.sha256)
          continue
        }
        try {
          this.store.putPackageBytecode({
            wheelSha256: wheel.sha256,
            runtime: this.runtime,
            sha256: cache.sha256,
            modules: compiled.entries.length,
            skipped: compiled.skipped.length,
            cache: cache.bytes
          })
        } catch {
          // A read-only file (or a full disk): this session uses it all the same.
          this.unstored.set(wheel.sha256, cache)
        }
        wheel.bytecode = cache
      }
    } finally {
      this.progress(null)
    }
    this.mount()
  }

  /** Whether a mounted wheel has no bytecode cache yet (ensureBytecode would make one). */
  lacksBytecode(): boolean {
    return this.lacking().length > 0
  }

  private lacking(): MountedWheel[] {
    return [...this.mounted.values()].filter((w) => w.bytecode === undefined && !this.failed.has(w.sha256))
  }

  /** The file's cache for this wheel and runtime, if its bytes are still the ones stored. */
  private storedBytecode(wheelSha256: string): { sha256: string; bytes: Uint8Array } | null {
    const unstored = this.unstored.get(wheelSha256)
    if (unstored !== undefined) return unstored
    const row = this.store.packageBytecode(wheelSha256, this.runtime)
    if (row === null || sha256Hex(row.cache) !== row.sha256) return null
    return { sha256: row.sha256, bytes: shared(row.cache) }
  }

  /**
   * The `%pip` lines of a cell, in order; stops at the first that fails. Output: what the cell shows.
   * Not a `Result`: the outputs are the answer either way, `ok` only says whether the cell may run.
   */
  async runCommands(commands: PipCommand[]): Promise<{ ok: boolean; outputs: Output[] }> {
    const outputs: Output[] = []
    for (const command of commands) {
      const result = await this.runCommand(command)
      if (!result.ok) {
        outputs.push({ type: 'error', ename: 'PackageError', evalue: result.error, traceback: [] })
        return { ok: false, outputs }
      }
      outputs.push({ type: 'stream', name: 'stdout', text: result.value })
    }
    return { ok: true, outputs: mergeStreams(outputs) }
  }

  /** `%pip install` arguments as words (the install box, the CLI). */
  async installWords(words: string[]): Promise<Result<string>> {
    return this.runCommand(parseInstall(`%pip install ${words.join(' ')}`, words))
  }

  remove(names: string[]): Result<string> {
    const stored = new Map(this.store.listPackages().map((p) => [p.name, p]))
    const keys = names.map(normalizeName)
    const missing = names.filter((_n, i) => !stored.has(keys[i]!))
    if (missing.length > 0) return fail(`not installed in this notebook: ${missing.join(', ')}`)
    this.store.changePackages({ put: [], remove: keys })
    this.afterChange()
    const removed = keys.map((k) => `${stored.get(k)!.displayName} ${stored.get(k)!.version}`)
    return ok(
      `Removed from this notebook: ${removed.join(', ')} (modules already imported stay loaded until the kernel restarts)\n`
    )
  }

  private async runCommand(parsed: PipCommand): Promise<Result<string>> {
    switch (parsed.kind) {
      case 'invalid':
        return fail(`${parsed.line}: ${parsed.message}`)
      case 'list':
        return ok(formatList(this.store.listPackages()))
      case 'uninstall':
        return this.remove(parsed.names)
      case 'install':
        return this.install(parsed)
    }
  }

  private async install(args: InstallArgs): Promise<Result<string>> {
    if (this.store.readOnly)
      return fail('This notebook is read-only: packages cannot be installed. Use Save As… first.')
    const settings = this.settings()
    const stored: StoredWheel[] = this.store.listPackages().map((p) => ({
      key: p.name,
      name: p.displayName,
      version: p.version,
      filename: p.filename,
      sha256: p.sha256,
      size: p.bytes,
      bytes: () => this.store.packageWheel(p.name) ?? new Uint8Array(0)
    }))
    let outcome: Result<PlannedInstall>
    try {
      outcome = await planInstall(args, {
        stored,
        defaultIndexUrl: settings.packageIndexUrl,
        maxBytes: settings.packagesMaxMegabytes * 1_000_000,
        cwd: this.cwd,
        progress: (text) => this.progress(text)
      })
    } finally {
      this.progress(null)
    }
    if (!outcome.ok) return outcome
    if (outcome.value.put.length > 0) {
      this.store.changePackages({ put: outcome.value.put, remove: [] })
      this.afterChange()
      // The new wheels' bytecode, made now (the install's time, never a cell's fuel).
      await this.ensureBytecode()
    }
    return ok(`Installed in this notebook: ${outcome.value.resolved.join(', ')}\n`)
  }

  private afterChange(): void {
    this.failed.clear()
    this.mount()
    this.changed(this.store.listPackages())
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The wheel in a SharedArrayBuffer: every run's request then carries it to a worker without a copy. */
function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength))
  copy.set(bytes)
  return copy
}

function formatList(packages: PackageInfo[]): string {
  if (packages.length === 0) return 'No packages installed in this notebook.\n'
  const width = Math.max(7, ...packages.map((p) => p.displayName.length))
  const rows = packages.map((p) => `${p.displayName.padEnd(width)}  ${p.version}`)
  return [`${'Package'.padEnd(width)}  Version`, `${'-'.repeat(width)}  -------`, ...rows].join('\n') + '\n'
}
