export { NotebookStore } from './notebook-store'
export type { NewPackage } from './package-table'
export { KEEP_RUN_OUTPUTS_PER_CELL } from './run-history'
export { SCHEMA_VERSION } from './migrations'
export { damagedMessage, FUELBOOK_APPLICATION_ID } from './file-checks'
export type {
  CellPatch,
  CreateOptions,
  HeadPointer,
  HeadSnapshot,
  LoadedNotebook,
  RunSummary,
  StoreResult
} from './types'
export { AppData, MAX_RECENTS, readSummary, resolveDataDir } from './app-data'
export type { DataDirSources } from './app-data'
