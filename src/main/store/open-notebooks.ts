/**
 * Notebooks this process has open. An open notebook holds an exclusive lock, so other connections (the
 * recents list included) cannot read it; they ask here instead.
 */
import path from 'node:path'
import type { NotebookSummary } from '../../shared/notebook'

export interface SummarySource {
  summary(): NotebookSummary
}

const openNotebooks = new Map<string, SummarySource>()

export function registerOpenNotebook(file: string, source: SummarySource): void {
  openNotebooks.set(path.resolve(file), source)
}

export function unregisterOpenNotebook(file: string, source: SummarySource): void {
  const key = path.resolve(file)
  if (openNotebooks.get(key) === source) openNotebooks.delete(key)
}

export function summaryOfOpenNotebook(file: string): NotebookSummary | null {
  const source = openNotebooks.get(path.resolve(file))
  if (!source) return null
  try {
    return source.summary()
  } catch {
    return null
  }
}
