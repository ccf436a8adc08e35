/**
 * The cache folder (S0 and the compiled runtime) beside the recents and settings. Its own module so
 * that `fuelbook exec` finds it without loading the service (SQLite, exporters).
 */
import { join } from 'node:path'
import { resolveDataDir } from '../store/data-dir'

/** Where S0 and the compiled runtime are cached: beside the recents and settings. */
export function cacheDirOf(dataDir: string = resolveDataDir()): string {
  return join(dataDir, 'cache')
}
