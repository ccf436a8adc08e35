/**
 * The desktop shell: app lifecycle, single instance, files from the OS, one window per notebook, the
 * menu, the IPC bridge. Thin on purpose: decisions live in pure modules next to it (menu-template,
 * open-requests, window-state, dialog-options, native-sqlite) and behaviour in the service below it,
 * which browser mode and the CLI share.
 */
import { app, BrowserWindow, dialog, nativeTheme } from 'electron'
import fs from 'node:fs'
import { join, resolve } from 'node:path'
import { ELECTRON_OUTPUT_FRAME_URL } from '../../shared/output-frame'
import { composeService, type ComposedService } from '../service/compose'
import { registerIpc } from './ipc'
import { installMenu } from './menu'
import { electronSqliteBinding } from './native-sqlite'
import { NotebookWindows } from './notebook-windows'
import { notebookPathsFromArgv } from './open-requests'
import { ShellCommands } from './shell-commands'
import { hardenSession, registerOutputFrameScheme } from './window'
import { errorMessage } from '../../shared/result'

const outDir = resolve(__dirname, '..')
const appRoot = app.isPackaged ? process.resourcesPath : resolve(outDir, '..')

let composed: ComposedService | null = null
let commands: ShellCommands | null = null
let windows: NotebookWindows | null = null
let closed = false
/** Files the OS handed us before the service was ready (macOS open-file arrives before 'ready'). */
const pendingPaths: string[] = []

function openPaths(paths: readonly string[]): void {
  if (!commands) {
    pendingPaths.push(...paths)
    return
  }
  for (const path of paths) void commands.openPath(path)
}

/** The better-sqlite3 addon built for Electron's ABI, or null for the package's own. */
function electronSqlite(): string | null {
  const binding = electronSqliteBinding({
    electronVersion: process.versions.electron,
    isPackaged: app.isPackaged,
    appRoot,
    resourcesPath: process.resourcesPath,
    exists: (file) => fs.existsSync(file),
    readFile: (file) => {
      try {
        return fs.readFileSync(file, 'utf8')
      } catch {
        return null
      }
    }
  })
  if (!binding.ok) throw new Error(binding.error)
  return binding.value
}

async function start(): Promise<void> {
  const sqliteBinding = electronSqlite()
  hardenSession()
  const userData = app.getPath('userData')
  const service = await composeService({
    shell: 'electron',
    appRoot,
    dataDir: userData,
    version: app.getVersion(),
    outputFrameUrl: ELECTRON_OUTPUT_FRAME_URL,
    sqliteBinding
  })
  composed = service
  nativeTheme.themeSource = (await service.service.getAppSettings()).theme
  // Windows ties recent documents (jump list) and the taskbar to this id; it matches electron-builder's appId.
  if (process.platform === 'win32') app.setAppUserModelId('org.fuelbook.desktop')
  app.setAboutPanelOptions({
    applicationName: 'Fuelbook',
    applicationVersion: app.getVersion(),
    copyright: 'MIT License',
    credits: 'Python cells run in fresh, fuel-metered CPython-on-WebAssembly instances.'
  })

  let refreshMenu: () => void = () => {}
  const notebookWindows = new NotebookWindows({
    outDir,
    userData,
    service: service.service,
    icon: join(appRoot, 'resources', 'icons', 'icon.png'),
    onShownChanged: () => refreshMenu()
  })
  windows = notebookWindows
  commands = new ShellCommands({
    service: service.service,
    windows: notebookWindows,
    refreshMenu: () => refreshMenu()
  })
  const refresh = installMenu(
    commands,
    {
      recent: () => service.service.listRecent(),
      theme: async () => (await service.service.getAppSettings()).theme
    },
    !app.isPackaged
  )
  refreshMenu = () => void refresh()
  refreshMenu()

  registerIpc(service.service, () => notebookWindows.all().map((w) => w.webContents), {
    shown: (sender, path) => notebookWindows.setShown(sender, path),
    settings: (settings) => {
      nativeTheme.themeSource = settings.theme
      refreshMenu()
    }
  })

  const requested = [...notebookPathsFromArgv(process.argv, process.cwd()), ...pendingPaths.splice(0)]
  if (requested.length === 0) notebookWindows.open(null)
  else openPaths(requested)
}

function fatal(error: unknown): void {
  const message = errorMessage(error)
  console.error(`fuelbook: ${message}`)
  dialog.showErrorBox('Fuelbook could not start', message)
  app.quit()
}

// A second launch (double-clicking a .fuelbook while Fuelbook runs) hands its files to this instance.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.enableSandbox()
  registerOutputFrameScheme()
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const paths = notebookPathsFromArgv(argv, workingDirectory)
    if (paths.length > 0) openPaths(paths)
    else windows?.reveal()
  })
  // macOS: Finder "Open With", dock drops and double-clicks; may arrive before 'ready'.
  app.on('open-file', (event, path) => {
    event.preventDefault()
    openPaths([path])
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (windows && BrowserWindow.getAllWindows().length === 0) windows.open(null)
  })
  // Close every notebook (WAL checkpointed, file back to one self-contained file) before exiting.
  app.on('will-quit', (event) => {
    if (closed || !composed) return
    event.preventDefault()
    const service = composed
    composed = null
    void service
      .close()
      .catch((e: unknown) => console.error(`fuelbook: closing notebooks failed: ${String(e)}`))
      .finally(() => {
        closed = true
        app.quit()
      })
  })
  app.whenReady().then(start).catch(fatal)
}
