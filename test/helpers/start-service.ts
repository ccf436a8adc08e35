/**
 * A real NotebookService (store + kernel + exporters) on a temporary data folder, with helpers to run
 * cells and wait for their results the way the UI does: by events. No vitest here: the host memory
 * test's child process (test/reliability/host-memory-child.ts) runs it outside vitest.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { NotebookEvent, RunCellsOptions } from '../../src/shared/api'
import type { RunRecord } from '../../src/shared/notebook'
import { composeService, type ComposedService } from '../../src/main/service/compose'

export interface ServiceHarness extends ComposedService {
  dataDir: string
  events: NotebookEvent[]
  /** Runs the cells and resolves with their finished runs, in order. */
  run(path: string, cellIds: string[], options?: RunCellsOptions): Promise<RunRecord[]>
  /** Adds a code cell with this source at the end and runs it. */
  runSource(path: string, source: string): Promise<RunRecord>
}

export async function startService(
  dataDir = mkdtempSync(join(tmpdir(), 'fuelbook-svc-'))
): Promise<ServiceHarness> {
  const composed = await composeService({
    shell: 'browser',
    appRoot: resolve(__dirname, '..', '..'),
    dataDir,
    version: 'test'
  })
  const events: NotebookEvent[] = []
  composed.service.onEvent((e) => events.push(e))
  async function run(path: string, cellIds: string[], options?: RunCellsOptions): Promise<RunRecord[]> {
    const finished: RunRecord[] = []
    const done = new Promise<void>((resolveDone) => {
      const off = composed.service.onEvent((e) => {
        if (e.type === 'runFinished' && e.path === path) {
          finished.push(e.run)
          if (finished.length === cellIds.length) {
            off()
            resolveDone()
          }
        }
      })
    })
    const queued = await composed.service.runCells(path, cellIds, options)
    if (!queued.ok) throw new Error(queued.error)
    await done
    return finished
  }
  async function runSource(path: string, source: string): Promise<RunRecord> {
    const cell = await composed.service.insertCell(path, { type: 'code', source })
    if (!cell.ok) throw new Error(cell.error)
    const [finished] = await run(path, [cell.value.id])
    return finished!
  }
  return { ...composed, dataDir, events, run, runSource }
}
