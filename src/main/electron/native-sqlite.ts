/**
 * Where the Electron build of better-sqlite3 lives. Electron has its own Node ABI, so the addon npm built
 * for Node (used by the CLI, browser mode and the tests) cannot load in it. scripts/electron-native.mjs
 * builds a second copy into .electron-native/ (git-ignored); electron-builder ships it as an extra
 * resource. The store loads it through better-sqlite3's `nativeBinding` option. Pure, unit tested.
 */
import { join } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'

export const NATIVE_DIR = '.electron-native'
export const ADDON_FILE = 'better_sqlite3.node'
export const BUILD_INFO_FILE = 'build-info.json'
/** The folder under process.resourcesPath in packaged builds (electron-builder extraResources). */
export const PACKAGED_NATIVE_DIR = 'electron-native'

export interface BindingContext {
  /** process.versions.electron: undefined in plain Node. */
  electronVersion: string | undefined
  isPackaged: boolean
  appRoot: string
  resourcesPath: string
  exists(file: string): boolean
  readFile(file: string): string | null
}

/** The addon's path; null = not in Electron: better-sqlite3's own (Node) build is right. */
export function electronSqliteBinding(ctx: BindingContext): Result<string | null> {
  if (!ctx.electronVersion) return ok(null)
  const dir = ctx.isPackaged ? join(ctx.resourcesPath, PACKAGED_NATIVE_DIR) : join(ctx.appRoot, NATIVE_DIR)
  const addon = join(dir, ADDON_FILE)
  const fix = ctx.isPackaged
    ? 'This installation is incomplete: reinstall Fuelbook.'
    : 'Run `node scripts/electron-native.mjs` (it downloads Electron’s headers once), then start again; `npm run serve` runs Fuelbook in the browser meanwhile.'
  const infoText = ctx.readFile(join(dir, BUILD_INFO_FILE))
  if (!ctx.exists(addon) || infoText === null) {
    return fail(`SQLite (better-sqlite3) is not built for Electron ${ctx.electronVersion}. ${fix}`)
  }
  let built: unknown
  try {
    built = (JSON.parse(infoText) as { electron?: unknown }).electron
  } catch {
    built = undefined
  }
  if (built !== ctx.electronVersion) {
    return fail(
      `SQLite (better-sqlite3) was built for Electron ${String(built ?? 'unknown')}, but this is Electron ${ctx.electronVersion}. ${fix}`
    )
  }
  return ok(addon)
}
