/**
 * The app's own data folder: untitled notebooks, the recent-notebooks list and app settings. Both JSON files
 * are written atomically (temp file + rename) and read defensively: a damaged or hand-edited file gives the
 * defaults, never a crash.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { normalizeAppSettings, type AppSettings } from '../../shared/app-settings'
import type { NotebookSummary } from '../../shared/notebook'
import { FUELBOOK_APPLICATION_ID } from './file-checks'
import { summaryOfOpenNotebook } from './open-notebooks'
import { tempSibling } from './open-database'
import { sqliteOptions } from './native-binding'

export const MAX_RECENTS = 20

interface RecentEntry extends NotebookSummary {
  openedAt: number
}

export class AppData {
  readonly dir: string
  readonly notebooksDir: string

  constructor(dir: string) {
    this.dir = path.resolve(dir)
    this.notebooksDir = path.join(this.dir, 'notebooks')
  }

  /** Next free "Untitled.fuelbook", "Untitled 2.fuelbook"… in the notebooks folder (created if needed). */
  newUntitledPath(baseName = 'Untitled'): string {
    fs.mkdirSync(this.notebooksDir, { recursive: true })
    const base =
      baseName
        .replace(/[\\/:*?"<>|\p{Cc}]+/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim() || 'Untitled'
    for (let n = 1; ; n++) {
      const candidate = path.join(this.notebooksDir, `${n === 1 ? base : `${base} ${n}`}.fuelbook`)
      if (!fs.existsSync(candidate)) return candidate
    }
  }

  /** True while a notebook lives in the data folder, i.e. was never saved under a name of the user's. */
  isUntitled(file: string): boolean {
    return path.dirname(path.resolve(file)) === this.notebooksDir
  }

  getSettings(): AppSettings {
    return normalizeAppSettings(this.readJson('settings.json'))
  }

  /** Stores the given settings over the current ones (unusable values fall back) and returns the result. */
  setSettings(settings: Partial<AppSettings>): AppSettings {
    const clean = normalizeAppSettings({ ...this.getSettings(), ...settings })
    this.writeJson('settings.json', clean)
    return clean
  }

  /** Puts `file` first in the recents (read now, or when listed if it is locked). */
  addRecent(file: string): void {
    const abs = path.resolve(file)
    const entries = this.readRecents().filter((e) => e.path !== abs)
    const summary = readSummary(abs) ?? {
      path: abs,
      title: path.basename(abs, '.fuelbook'),
      modifiedAt: 0,
      cellCount: 0
    }
    entries.unshift({ ...summary, openedAt: Date.now() })
    this.writeJson('recents.json', entries.slice(0, MAX_RECENTS))
  }

  removeRecent(file: string): void {
    const abs = path.resolve(file)
    const entries = this.readRecents()
    const kept = entries.filter((e) => e.path !== abs)
    if (kept.length !== entries.length) this.writeJson('recents.json', kept)
  }

  /**
   * Recent notebooks, most recently opened first, with title, modified time and cell count read from each
   * file (the remembered values when a file cannot be read right now). Files that are gone are pruned.
   */
  listRecent(): NotebookSummary[] {
    const entries = this.readRecents()
    const present = entries.filter((e) => fs.existsSync(e.path))
    const fresh = present.map((e) => ({ ...e, ...(readSummary(e.path) ?? {}) }))
    const changed =
      present.length !== entries.length ||
      fresh.some(
        (f, i) =>
          f.title !== present[i]!.title ||
          f.modifiedAt !== present[i]!.modifiedAt ||
          f.cellCount !== present[i]!.cellCount
      )
    if (changed) this.writeJson('recents.json', fresh)
    return fresh.map(({ path: p, title, modifiedAt, cellCount }) => ({
      path: p,
      title,
      modifiedAt,
      cellCount
    }))
  }

  private readRecents(): RecentEntry[] {
    const raw = this.readJson('recents.json')
    if (!Array.isArray(raw)) return []
    const seen = new Set<string>()
    const entries: RecentEntry[] = []
    for (const e of raw as Partial<RecentEntry>[]) {
      if (!e || typeof e.path !== 'string' || !path.isAbsolute(e.path) || seen.has(e.path)) continue
      seen.add(e.path)
      entries.push({
        path: e.path,
        title: typeof e.title === 'string' ? e.title : path.basename(e.path, '.fuelbook'),
        modifiedAt: typeof e.modifiedAt === 'number' ? e.modifiedAt : 0,
        cellCount: typeof e.cellCount === 'number' ? e.cellCount : 0,
        openedAt: typeof e.openedAt === 'number' ? e.openedAt : 0
      })
    }
    return entries.slice(0, MAX_RECENTS)
  }

  private readJson(name: string): unknown {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8'))
    } catch {
      return null
    }
  }

  private writeJson(name: string, value: unknown): void {
    fs.mkdirSync(this.dir, { recursive: true })
    const target = path.join(this.dir, name)
    const tmp = tempSibling(target, 'writing')
    try {
      const fd = fs.openSync(tmp, 'w')
      try {
        fs.writeSync(fd, JSON.stringify(value, null, 2) + '\n')
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      fs.renameSync(tmp, target)
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }
}

/**
 * Title, modified time and cell count of a notebook, cheaply: from the open store when this process has it
 * open (its exclusive lock keeps other connections out), else a short read-only query. Null if unreadable.
 */
export function readSummary(file: string): NotebookSummary | null {
  const open = summaryOfOpenNotebook(file)
  if (open) return open
  let db: Database.Database | null = null
  try {
    db = new Database(file, sqliteOptions({ readonly: true, fileMustExist: true, timeout: 0 }))
    if (db.pragma('application_id', { simple: true }) !== FUELBOOK_APPLICATION_ID) return null
    const row = db
      .prepare(
        'SELECT title, modified_at AS modifiedAt, (SELECT count(*) FROM cells) AS cellCount FROM notebook WHERE id = 1'
      )
      .get() as { title: string; modifiedAt: number; cellCount: number } | undefined
    return row ? { path: file, ...row } : null
  } catch {
    return null
  } finally {
    db?.close()
  }
}
