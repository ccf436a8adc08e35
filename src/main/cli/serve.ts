import { homedir } from 'node:os'
import { join } from 'node:path'
import type { NotebookClient } from '../../shared/api'
import type { FileRoot } from '../../shared/file-dialog'
import { composeService } from '../service/compose'
import { EXIT, UsageError, type CliCommand } from './command'
import { commandFailure, parseCommandLine } from './command-line'

/**
 * Browser mode's servers (src/main/server/), handed in by the entry point: the server is a front
 * door beside the CLI, not a layer below it.
 */
export interface BrowserModeServers {
  startBrowserServer(options: {
    service: NotebookClient
    rendererDir: string
    port: number
    outputFrameOrigin: string
    fileRoots: FileRoot[]
  }): Promise<{ url: string; close(): Promise<void> }>
  startOutputFrameServer(): Promise<{ url: string; origin: string; close(): Promise<void> }>
}

const SERVE_USAGE = `fuelbook serve [NOTEBOOK.fuelbook] [--port N]

Starts the notebook UI on http://127.0.0.1:PORT/?token=… and prints that address. Only this machine
can connect, and only with the token. Stop with Ctrl+C.

Options:
  --port N     port to listen on (default 0: a free port chosen by the system)
  -h, --help   show this help`

export const serveCommand = ({
  startBrowserServer,
  startOutputFrameServer
}: BrowserModeServers): CliCommand => ({
  name: 'serve',
  usage: SERVE_USAGE,
  async run(args, io) {
    const line = parseCommandLine(
      { usage: SERVE_USAGE },
      args,
      io,
      { port: { type: 'string' } },
      { count: 'at most one', extra: 'serve takes at most one notebook' }
    )
    if (line.helpShown) return EXIT.ok
    const { values, positionals } = line
    const port = values.port === undefined ? 0 : Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be 0–65535, got '${values.port}'`)
    const frames = await startOutputFrameServer()
    const composed = await composeService({
      shell: 'browser',
      appRoot: io.appRoot,
      version: io.version,
      outputFrameUrl: frames.url
    })
    const server = await startBrowserServer({
      service: composed.service,
      rendererDir: join(io.appRoot, 'out', 'renderer'),
      port,
      outputFrameOrigin: frames.origin,
      // The file dialog browses the user's files and the notebooks kept in the data folder, no more.
      fileRoots: [
        { label: 'Home', path: homedir() },
        { label: 'Data folder', path: (await composed.service.getAppInfo()).dataDir }
      ]
    })
    let url = server.url
    if (positionals[0]) {
      const opened = await composed.service.openNotebook(positionals[0])
      if (!opened.ok) {
        await server.close()
        await frames.close()
        await composed.close()
        return commandFailure('serve', io)(opened.error)
      }
      url += `#open=${encodeURIComponent(opened.value.path)}`
    }
    io.stdout(`Fuelbook is running at ${url}\n`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close()
    await frames.close()
    await composed.close()
    return EXIT.ok
  }
})
