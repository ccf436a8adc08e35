/**
 * The app: start screen or one open notebook. Remembers the open notebook in the URL hash so a page
 * reload (browser mode) comes back to it.
 */
import type { AppInfo, AppSettings, NotebookClient } from '../../../../shared/api'
import type { NotebookDocument, NotebookSummary } from '../../../../shared/notebook'
import { NotebookState } from './notebook.svelte'

export class AppState {
  info = $state.raw<AppInfo | null>(null)
  recents = $state.raw<NotebookSummary[]>([])
  notebook = $state.raw<NotebookState | null>(null)
  error = $state<string | null>(null)
  loading = $state(false)
  theme = $state<AppSettings['theme']>('system')

  constructor(readonly api: NotebookClient) {}

  async start(): Promise<void> {
    try {
      this.info = await this.api.getAppInfo()
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
    void this.api
      .getAppSettings()
      .then((s) => this.applyTheme(s.theme))
      .catch(() => undefined)
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('open')
    if (fromHash) await this.open(fromHash)
    else await this.loadRecents()
  }

  async loadRecents(): Promise<void> {
    try {
      this.recents = await this.api.listRecent()
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
  }

  async create(): Promise<void> {
    await this.show(() => this.api.createNotebook())
  }

  async open(path: string): Promise<void> {
    await this.show(() => this.api.openNotebook(path))
  }

  async importIpynb(content: string, name: string): Promise<void> {
    await this.show(() => this.api.importIpynb(content, name))
  }

  private async show(
    load: () => Promise<{ ok: true; value: NotebookDocument } | { ok: false; error: string }>
  ): Promise<void> {
    this.loading = true
    this.error = null
    try {
      const r = await load()
      if (!r.ok) {
        this.error = r.error
        // A notebook that cannot open must not be retried by the next reload.
        history.replaceState(null, '', `${location.pathname}${location.search}`)
        await this.loadRecents()
        return
      }
      this.notebook?.dispose()
      this.notebook = new NotebookState(this.api, r.value)
      history.replaceState(
        null,
        '',
        `${location.pathname}${location.search}#open=${encodeURIComponent(r.value.path)}`
      )
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    } finally {
      this.loading = false
    }
  }

  async close(): Promise<void> {
    const nb = this.notebook
    if (!nb) return
    await nb.flush()
    await this.api.closeNotebook(nb.path).catch(() => undefined)
    nb.dispose()
    this.notebook = null
    history.replaceState(null, '', `${location.pathname}${location.search}`)
    await this.loadRecents()
  }

  /** Light and dark follow the OS unless the user picked one (kept in the app settings). */
  async cycleTheme(): Promise<void> {
    const next = this.theme === 'system' ? 'light' : this.theme === 'light' ? 'dark' : 'system'
    this.applyTheme(next)
    await this.api.setAppSettings({ theme: next }).catch(() => undefined)
  }

  private applyTheme(theme: AppSettings['theme']): void {
    this.theme = theme
    if (theme === 'system') delete document.documentElement.dataset.theme
    else document.documentElement.dataset.theme = theme
  }

  /** After Save as, the URL follows the new path. */
  remember(path: string): void {
    history.replaceState(null, '', `${location.pathname}${location.search}#open=${encodeURIComponent(path)}`)
  }
}
