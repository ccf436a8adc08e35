/**
 * Opening a notebook file for reading without a kernel (export needs no Python): the store's load()
 * as the NotebookDocument the exporters take, with the messages the store gives for bad files.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Result } from '../../shared/api'
import type { NotebookDocument } from '../../shared/notebook'
import { NotebookStore } from '../store'

/** A message for a path that cannot be a notebook before the store even looks at it, or null. */
export function missingNotebook(path: string): string | null {
  if (!existsSync(path)) return `${path}: no such file`
  if (statSync(path).isDirectory()) return `${path} is a folder, not a notebook`
  return null
}

export function readNotebookDocument(path: string): Result<NotebookDocument> {
  const absolute = resolve(path)
  const missing = missingNotebook(absolute)
  if (missing) return { ok: false, error: missing }
  const opened = NotebookStore.open(absolute)
  if (!opened.ok) return opened
  const store = opened.value
  try {
    const loaded = store.load()
    return {
      ok: true,
      value: {
        path: store.path,
        title: loaded.title,
        createdAt: loaded.createdAt,
        modifiedAt: loaded.modifiedAt,
        untitled: false,
        readOnly: true,
        settings: loaded.settings,
        cells: loaded.cells,
        lastRuns: loaded.lastRuns,
        kernel: {
          headCellId: loaded.head.cellId,
          headExecutionCount: loaded.head.executionCount,
          nextExecutionCount: loaded.head.nextExecutionCount,
          memoryBytes: (loaded.head.pageCount ?? 0) * 65_536,
          sessionFuel: 0,
          notice: null
        },
        notices: store.notices,
        packages: store.listPackages()
      }
    }
  } finally {
    store.close()
  }
}
