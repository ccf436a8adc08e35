/**
 * The store → NotebookDocument mapping, one home for it: an open session (with its live kernel) and
 * a read without a kernel (export from the command line needs no Python) both describe a notebook
 * with it.
 */
import { resolve } from 'node:path'
import type { KernelInfo, NotebookDocument } from '../../shared/notebook'
import type { PackageInfo } from '../../shared/packages'
import { fail, ok, type Result } from '../../shared/result'
import { PAGE_BYTES } from '../sandbox/memory-image'
import { NotebookStore, type LoadedNotebook } from '../store'
import { missingNotebook } from './notebook-path'

/** What a notebook is, from what its store loaded and how its kernel stands. */
export function notebookDocument(
  store: NotebookStore,
  loaded: LoadedNotebook,
  kernel: KernelInfo,
  options: { readOnly: boolean; extraNotices?: readonly string[] }
): NotebookDocument {
  return {
    path: store.path,
    title: loaded.title,
    createdAt: loaded.createdAt,
    modifiedAt: loaded.modifiedAt,
    untitled: false,
    readOnly: options.readOnly,
    settings: loaded.settings,
    cells: loaded.cells,
    lastRuns: loaded.lastRuns,
    kernel,
    notices: [...store.notices, ...(options.extraNotices ?? [])],
    packages: store.listPackages()
  }
}

/** The kernel as the file left it, for a notebook read without starting one. */
function storedKernelInfo(loaded: LoadedNotebook): KernelInfo {
  return {
    headCellId: loaded.head.cellId,
    headExecutionCount: loaded.head.executionCount,
    nextExecutionCount: loaded.head.nextExecutionCount,
    memoryBytes: (loaded.head.pageCount ?? 0) * PAGE_BYTES,
    sessionFuel: 0,
    notice: null
  }
}

/** A notebook file as a read-only document, with the messages the store gives for bad files. */
export function readNotebookDocument(path: string): Result<NotebookDocument> {
  return readStore(path, (store) => {
    const loaded = store.load()
    return notebookDocument(store, loaded, storedKernelInfo(loaded), { readOnly: true })
  })
}

/**
 * The wheels a notebook file stores, each with the size of the bytecode caches the file holds for
 * it (0: none yet; src/main/packages/README.md, "Bytecode cache"), read without a kernel.
 */
export function readStoredPackages(path: string): Result<(PackageInfo & { bytecodeBytes: number })[]> {
  return readStore(path, (store) => {
    const sizes = store.packageBytecodeBytes()
    return store.listPackages().map((p) => ({ ...p, bytecodeBytes: sizes.get(p.sha256) ?? 0 }))
  })
}

/** `read` of a notebook file opened without a session, closed after; the store's message for a bad file. */
function readStore<T>(path: string, read: (store: NotebookStore) => T): Result<T> {
  const absolute = resolve(path)
  const missing = missingNotebook(absolute)
  if (missing) return fail(missing)
  const opened = NotebookStore.open(absolute)
  if (!opened.ok) return opened
  const store = opened.value
  try {
    return ok(read(store))
  } finally {
    store.close()
  }
}
