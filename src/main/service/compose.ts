/**
 * Builds the one NotebookService a front door needs: app data folder, kernel host (worker pool and
 * compiled runtime) and exporters. Shared by the Electron shell, browser mode and the CLI.
 */
import type { AppInfo } from '../../shared/api'
import { createKernelHost } from '../kernel'
import { runtimeDirOf } from '../sandbox/runtime'
import { AppData, resolveDataDir } from '../store'
import { cacheDirOf } from './cache-dir'
import { setSqliteNativeBinding } from '../store/native-binding'
import { createExporter } from '../export'
import { NotebookService } from './notebook-service'

export { cacheDirOf } from './cache-dir'

/**
 * The workers warm up this long after the kernel host is ready: a notebook opened with the app, or
 * `fuelbook run`, asks for its first run sooner, which then runs without a warm-up run beside it
 * (on two cores that run beside it delayed the app's first result; src/main/kernel/README.md,
 * "Cold start"). Someone who opens the app and then types finds the workers warm.
 */
const WARM_UP_DELAY_MS = 1000

export interface ComposeOptions {
  shell: AppInfo['shell']
  /** The application folder (holds resources/python and out/). */
  appRoot: string
  /** Overrides the platform's data folder (Electron passes userData). */
  dataDir?: string
  version: string
  /** Where the UI's text/html output frames are served (AppInfo.outputFrameUrl); none without a UI. */
  outputFrameUrl?: string
  /**
   * The better-sqlite3 addon to load instead of the package's own (the Electron shell's copy built
   * for Electron's ABI, src/main/electron/native-sqlite.ts); set before anything is opened.
   */
  sqliteBinding?: string | null
  /**
   * Sandbox workers (default: the kernel host's, 2 to 4). `fuelbook run` runs its cells one after
   * another from one head, on the worker that holds it, and asks nothing beside them: a second
   * worker is a Node instance started for nothing (~125 ms of CPU while the runtime compiles).
   */
  poolSize?: number
  /** The process runs cells and exits (`fuelbook run`): see KernelHostOptions.lateTierUp. */
  lateTierUp?: boolean
}

export interface ComposedService {
  service: NotebookService
  close(): Promise<void>
}

export async function composeService(options: ComposeOptions): Promise<ComposedService> {
  if (options.sqliteBinding !== undefined) setSqliteNativeBinding(options.sqliteBinding)
  const appData = new AppData(options.dataDir ?? resolveDataDir())
  const kernelHost = await createKernelHost({
    resourcesDir: runtimeDirOf(options.appRoot),
    cacheDir: cacheDirOf(appData.dir),
    warmUpDelayMs: WARM_UP_DELAY_MS,
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.lateTierUp === true ? { lateTierUp: true } : {})
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
    async close() {
      await service.dispose()
      await kernelHost.close()
    }
  }
}
