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
import type { Kernel } from '../kernel/types'
import {
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
    private readonly cwd: string
  ) {}

  list(): PackageInfo[] {
    return this.store.listPackages()
  }

  /** Gives the kernel every stored wheel, in name order (the order they join sys.path). */
  mount(): void {
    const wheels: MountedWheel[] = []
    for (const p of this.store.listPackages()) {
      const bytes = this.store.packageWheel(p.name)
      if (bytes !== null) wheels.push({ filename: p.filename, sha256: p.sha256, bytes: shared(bytes) })
    }
    this.kernel.setPackages(wheels)
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
    }
    return ok(`Installed in this notebook: ${outcome.value.resolved.join(', ')}\n`)
  }

  private afterChange(): void {
    this.mount()
    this.changed(this.store.listPackages())
  }
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
