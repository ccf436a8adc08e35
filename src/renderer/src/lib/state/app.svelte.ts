/**
 * The app: start screen or one open notebook. Remembers the open notebook in the URL hash so a page
 * reload (browser mode) comes back to it.
 */
import type { AppInfo, NotebookClient, Result } from '../../../../shared/api'
import { DEFAULT_APP_SETTINGS, type AppSettings, type Theme } from '../../../../shared/app-settings'
import type { NotebookDocument, NotebookSummary } from '../../../../shared/notebook'
import { NotebookState } from './notebook.svelte'
import { setOutputFrameUrl } from '../outputs/frame'
import { errorMessage } from '../../../../shared/result'

export class AppState {
  info = $state.raw<AppInfo | null>(null)
  recents = $state.raw<NotebookSummary[]>([])
  notebook = $state.raw<NotebookState | null>(null)
  error = $state<string | null>(null)
  loading = $state(false)
  settings = $state.raw<AppSettings>(DEFAULT_APP_SETTINGS)
  private settingsVersion = 0

  constructor(readonly api: NotebookClient) {}

  async start(): Promise<void> {
    // The notebook is asked for at once, not after the app info: one round trip less before the
    // first cells show. It is shown only once the info (the output frames' address) is in.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('open')
    const opening = fromHash ? this.api.openNotebook(fromHash) : null
    opening?.catch(() => undefined) // a failure is reported by show(), once awaited
    try {
      this.info = await this.api.getAppInfo()
      setOutputFrameUrl(this.info.outputFrameUrl)
    } catch (e) {
      this.error = errorMessage(e)
    }
    void this.api
      .getAppSettings()
      .then((s) => this.applySettings(s))
      .catch(() => undefined)
    if (opening) await this.show(() => opening)
    else await this.loadRecents()
  }

  async loadRecents(): Promise<void> {
    try {
      this.recents = await this.api.listRecent()
    } catch (e) {
      this.error = errorMessage(e)
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

  private async show(load: () => Promise<Result<NotebookDocument>>): Promise<void> {
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
      this.error = errorMessage(e)
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
    const theme = this.settings.theme
    await this.updateSettings({ theme: theme === 'system' ? 'light' : theme === 'light' ? 'dark' : 'system' })
  }

  /** Applies at once (the UI never waits on the disk), then keeps what the service stored. */
  async updateSettings(patch: Partial<AppSettings>): Promise<void> {
    this.applySettings({ ...this.settings, ...patch })
    const asked = ++this.settingsVersion
    const saved = await this.api.setAppSettings(patch).catch(() => null)
    // A later change is already on screen; the service merges them in order anyway.
    if (saved?.ok && asked === this.settingsVersion) this.applySettings(saved.value)
  }

  private applySettings(settings: AppSettings): void {
    this.settings = settings
    setRootData('theme', settings.theme === 'system' ? null : settings.theme)
    setRootData('density', settings.density === 'compact' ? 'compact' : null)
  }

  /** After Save as, the URL follows the new path. */
  remember(path: string): void {
    history.replaceState(null, '', `${location.pathname}${location.search}#open=${encodeURIComponent(path)}`)
  }
}

/** Theme and density are attributes of <html>, so every component's CSS can follow them. */
function setRootData(key: 'theme' | 'density', value: Theme | 'compact' | null): void {
  if (value === null) delete document.documentElement.dataset[key]
  else document.documentElement.dataset[key] = value
}
