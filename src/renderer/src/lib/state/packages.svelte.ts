/**
 * The wheels one open notebook carries, as the sidebar's Packages section shows them: the list
 * (kept current by `packagesChanged`, whoever installed: this section, a `%pip` cell, another
 * window), what a running install is doing (`packagesProgress`), and this section's own install and
 * remove calls with their result or error (src/main/packages/README.md).
 */
import type { NotebookClient, Result } from '../../../../shared/api'
import type { PackageInfo } from '../../../../shared/packages'

export class PackagesState {
  list = $state.raw<PackageInfo[]>([])
  /** The step a running install is at (from any client or cell); null when none runs. */
  progress = $state<string | null>(null)
  /** This section's install or remove call is in flight. */
  busy = $state(false)
  /** The last call's refusal, as the service worded it. */
  error = $state<string | null>(null)
  /** The last call's success line ("Installed in this notebook: …"). */
  summary = $state<string | null>(null)

  readonly totalBytes = $derived(this.list.reduce((sum, p) => sum + p.bytes, 0))

  constructor(
    private readonly api: NotebookClient,
    private readonly path: () => string,
    list: PackageInfo[]
  ) {
    this.list = list
  }

  /**
   * The install box's text, split into `%pip install` words: requirements, `.whl` paths, `-f FOLDER`,
   * `--no-index`, `-i URL`. True when it installed.
   */
  async install(text: string): Promise<boolean> {
    const words = text.trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) return false
    const r = await this.call(() => this.api.installPackages(this.path(), words))
    if (!r) return false
    this.list = r.packages
    this.summary = r.summary.trim()
    return true
  }

  async remove(name: string): Promise<void> {
    const r = await this.call(() => this.api.removePackages(this.path(), [name]))
    if (!r) return
    this.list = r
    this.summary = `Removed ${name}. Modules already imported stay loaded until the kernel restarts.`
  }

  changed(list: PackageInfo[]): void {
    this.list = list
  }

  progressed(text: string | null): void {
    this.progress = text
  }

  private async call<T>(fn: () => Promise<Result<T>>): Promise<T | null> {
    this.busy = true
    this.error = null
    this.summary = null
    try {
      const r = await fn().catch((e: unknown) => ({ ok: false as const, error: String(e) }))
      if (r.ok) return r.value
      this.error = r.error
      return null
    } finally {
      this.busy = false
    }
  }
}
