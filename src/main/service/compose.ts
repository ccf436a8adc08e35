/**
 * Builds the one NotebookService a front door needs: app data folder, kernel host (worker pool and
 * compiled runtime) and exporters. Shared by the Electron shell, browser mode and the CLI.
 */
import { join } from 'node:path'
import type { AppInfo } from '../../shared/api'
import { createKernelHost } from '../kernel'
import { runtimeDirOf } from '../sandbox/runtime'
import { AppData, resolveDataDir } from '../store'
import { createExporter } from '../export'
import { NotebookService } from './notebook-service'

export interface ComposeOptions {
  shell: AppInfo['shell']
  /** The application folder (holds resources/python and out/). */
  appRoot: string
  /** Overrides the platform's data folder (Electron passes userData). */
  dataDir?: string
  version: string
  /** Where the UI's text/html output frames are served (AppInfo.outputFrameUrl); none without a UI. */
  outputFrameUrl?: string
}

export interface ComposedService {
  service: NotebookService
  appData: AppData
  close(): Promise<void>
}

export async function composeService(options: ComposeOptions): Promise<ComposedService> {
  const appData = new AppData(options.dataDir ?? resolveDataDir())
  const kernelHost = await createKernelHost({
    resourcesDir: runtimeDirOf(options.appRoot),
    cacheDir: join(appData.dir, 'cache')
  })
  const service = new NotebookService({
    appData,
    kernelHost,
    exporter: createExporter(),
    shell: options.shell,
    version: options.version,
    outputFrameUrl: options.outputFrameUrl ?? null
  })
  return {
    service,
    appData,
    async close() {
      await service.dispose()
      await kernelHost.close()
    }
  }
}
