/**
 * Which files the user asked to open (command line, a second launch, macOS open-file) and which window
 * shows each: one window per notebook, an already-open notebook is focused rather than opened twice, and
 * a window still on the start screen is reused. Pure, unit tested.
 */
import { extname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export type OpenKind = 'fuelbook' | 'ipynb'

/** 'fuelbook' opens in place, 'ipynb' is imported as a new .fuelbook; anything else is not ours. */
export function openKindOf(file: string): OpenKind | null {
  const ext = extname(file).toLowerCase()
  return ext === '.fuelbook' ? 'fuelbook' : ext === '.ipynb' ? 'ipynb' : null
}

/**
 * Notebook files named on a command line. argv[0] is the executable; in development the next argument is
 * the app folder (`electron .`); Chromium adds switches (`--allow-file-access-from-files`) to a second
 * instance's argv. Only arguments naming a .fuelbook or .ipynb count, resolved against the launching
 * shell's working directory.
 */
export function notebookPathsFromArgv(argv: readonly string[], cwd: string): string[] {
  const paths: string[] = []
  let afterDoubleDash = false
  for (const arg of argv.slice(1)) {
    if (!afterDoubleDash && arg === '--') {
      afterDoubleDash = true
      continue
    }
    if (!afterDoubleDash && arg.startsWith('-')) continue
    let file = arg
    if (/^file:\/\//i.test(file)) {
      try {
        file = fileURLToPath(file)
      } catch {
        continue
      }
    }
    if (!openKindOf(file)) continue
    const abs = isAbsolute(file) ? resolve(file) : resolve(cwd, file)
    if (!paths.includes(abs)) paths.push(abs)
  }
  return paths
}

export interface WindowView {
  id: number
  /** The notebook it shows; null on the start screen. */
  path: string | null
  focused: boolean
}

export type WindowChoice = { kind: 'focus'; id: number } | { kind: 'load'; id: number } | { kind: 'new' }

/** Windows and macOS file systems are case-insensitive by default: C:\A.fuelbook is c:\a.fuelbook. */
export function samePath(a: string, b: string, platform: string = process.platform): boolean {
  const ra = resolve(a)
  const rb = resolve(b)
  return platform === 'linux' ? ra === rb : ra.toLowerCase() === rb.toLowerCase()
}

export function chooseWindow(
  path: string,
  windows: readonly WindowView[],
  platform: string = process.platform
): WindowChoice {
  const showing = windows.find((w) => w.path !== null && samePath(w.path, path, platform))
  if (showing) return { kind: 'focus', id: showing.id }
  const idle = windows.find((w) => w.path === null && w.focused) ?? windows.find((w) => w.path === null)
  if (idle) return { kind: 'load', id: idle.id }
  return { kind: 'new' }
}

/** `#open=<encoded path>`: the renderer opens this notebook on load (browser mode uses the same hash). */
export function openHash(path: string): string {
  return `open=${encodeURIComponent(path)}`
}

/** The notebook a renderer URL shows, from its `#open=` hash (kept current by the renderer). */
export function pathFromUrl(url: string): string | null {
  const hash = url.indexOf('#')
  if (hash < 0) return null
  const value = new URLSearchParams(url.slice(hash + 1)).get('open')
  return value ? value : null
}

const OPENS_A_NOTEBOOK = new Set(['openNotebook', 'createNotebook', 'saveNotebookAs', 'importIpynb'])

/**
 * What a window shows after one of its API calls: the document's path after open, create, save-as and
 * import; null (start screen) after close, and after a failed open (the renderer opens only from its
 * start screen, where it stays); undefined when the call changes nothing.
 */
export function shownPathAfterCall(method: string, result: unknown): string | null | undefined {
  if (typeof result !== 'object' || result === null) return undefined
  if ((result as { ok?: unknown }).ok !== true) return method === 'openNotebook' ? null : undefined
  if (method === 'closeNotebook') return null
  if (!OPENS_A_NOTEBOOK.has(method)) return undefined
  const value = (result as { value?: { path?: unknown } }).value
  return typeof value?.path === 'string' ? value.path : undefined
}
