/**
 * Notebook windows: locked-down web preferences, a strict CSP, no navigation, no new windows, no
 * permissions. The renderer is untrusted by design (cell outputs render inside it).
 */
import { app, BrowserWindow, protocol, session, shell, type WebPreferences } from 'electron'
import fs from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { appCsp, OUTPUT_FRAME_SCHEME } from '../../shared/csp'
import { ELECTRON_OUTPUT_FRAME_URL, outputFrameDocument, outputFrameHeaders } from '../../shared/output-frame'
import { downloadDialogOptions } from './dialog-options'
import { MIN_SIZE, type Placement } from './window-state'

export const WEB_PREFERENCES: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  spellcheck: false
}

const CONTENT_SECURITY_POLICY = appCsp({ kind: 'desktop' })

/**
 * Text/html outputs' frames come from their own scheme, so they share no origin with the app's file://
 * pages (src/shared/output-frame.ts). Must run before the app is ready.
 */
export function registerOutputFrameScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: OUTPUT_FRAME_SCHEME, privileges: { standard: true } }])
}

/** Serves the frame document, and nothing else, on the frame scheme. */
function serveOutputFrames(): void {
  const document = outputFrameDocument()
  protocol.handle(OUTPUT_FRAME_SCHEME, (request) =>
    request.url === ELECTRON_OUTPUT_FRAME_URL
      ? new Response(document, { headers: outputFrameHeaders() })
      : new Response(null, { status: 404 })
  )
}

/** Session-wide hardening, applied once when the app is ready. */
export function hardenSession(): void {
  serveOutputFrames()
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    // The output frame keeps its own, stricter policy.
    if (details.url.startsWith(`${OUTPUT_FRAME_SCHEME}:`)) return callback({})
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] }
    })
  })
  // Exports (HTML, .ipynb) are downloads from the renderer: Electron asks where to save, with our filter.
  session.defaultSession.on('will-download', (_event, item) => {
    item.setSaveDialogOptions(downloadDialogOptions(item.getFilename(), app.getPath('documents')))
  })
}

export interface WindowOptions {
  placement: Placement
  /** Loaded as the page's hash, e.g. `open=<encoded path>` (the renderer opens that notebook). */
  hash?: string
  /** Window icon (Linux and Windows in development; packaged builds take it from the executable). */
  icon?: string
}

function rendererPage(outDir: string): string {
  return join(outDir, 'renderer', 'index.html')
}

export function createNotebookWindow(outDir: string, options: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    ...options.placement.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Fuelbook',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: { ...WEB_PREFERENCES, preload: join(outDir, 'preload', 'index.js') }
  })
  window.once('ready-to-show', () => {
    if (options.placement.maximized) window.maximize()
    window.show()
  })
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links in markdown open in the user's browser, never inside the app.
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  window.webContents.on('will-attach-webview', (event) => event.preventDefault())
  void window.loadFile(rendererPage(outDir), options.hash ? { hash: options.hash } : undefined)
  return window
}

/**
 * Print to PDF renders the notebook's HTML report (the self-contained export: every cell, no sidebar, no
 * lazy mounting, print styles) in a hidden window with JavaScript off, rather than the live view, whose
 * scrolling layout would print one screenful.
 */
export async function printHtmlToPdf(html: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'fuelbook-print-'))
  const file = join(dir, 'notebook.html')
  const window = new BrowserWindow({
    show: false,
    webPreferences: { ...WEB_PREFERENCES, javascript: false }
  })
  try {
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
    window.webContents.on('will-navigate', (event) => event.preventDefault())
    fs.writeFileSync(file, html)
    await window.loadFile(file)
    return await window.webContents.printToPDF({ printBackground: true })
  } finally {
    window.destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
