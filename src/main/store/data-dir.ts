/**
 * Where the app keeps its own data. Its own module, free of SQLite, so that `fuelbook exec` can find
 * its cache folder without loading the store.
 */
import os from 'node:os'
import path from 'node:path'

export interface DataDirSources {
  /** Electron's `app.getPath('userData')`, passed in by the shell. */
  userData?: string
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  home?: string
}

/** Electron userData, else $FUELBOOK_DATA_DIR, else the platform's per-user data folder. */
export function resolveDataDir(sources: DataDirSources = {}): string {
  if (sources.userData) return sources.userData
  const env = sources.env ?? process.env
  const platform = sources.platform ?? process.platform
  const home = sources.home ?? os.homedir()
  if (env.FUELBOOK_DATA_DIR) return path.resolve(env.FUELBOOK_DATA_DIR)
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Fuelbook')
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Fuelbook')
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'fuelbook')
}
