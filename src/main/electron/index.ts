/**
 * The desktop shell: app lifecycle, one window per notebook, the IPC bridge. Thin on purpose: every
 * behaviour lives in the service below it, which browser mode and the CLI share.
 */
import { app, BrowserWindow, dialog } from 'electron'
import { join, resolve } from 'node:path'
import { composeService, type ComposedService } from '../service/compose'
import { registerIpc } from './ipc'
import { createNotebookWindow, hardenSession } from './window'

const outDir = resolve(__dirname, '..')
const appRoot = app.isPackaged ? process.resourcesPath : resolve(outDir, '..')

let composed: ComposedService | null = null

async function start(): Promise<void> {
  hardenSession()
  composed = await composeService({
    shell: 'electron',
    appRoot,
    dataDir: join(app.getPath('userData')),
    version: app.getVersion()
  })
  registerIpc(composed.service, () => BrowserWindow.getAllWindows().map((w) => w.webContents))
  createNotebookWindow(outDir)
}

app.enableSandbox()
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) createNotebookWindow(outDir)
})
app.on('will-quit', () => {
  void composed?.close()
})
app.whenReady().then(start, (error: unknown) => {
  dialog.showErrorBox('Fuelbook could not start', error instanceof Error ? error.message : String(error))
  app.quit()
})
