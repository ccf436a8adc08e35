/**
 * The file system as browser mode's file dialog sees it: folders listed, an .ipynb read, an export
 * written, and nothing outside the roots (the user's home and the data folder). Every path is resolved
 * with realpath before it is compared with the (equally resolved) roots, so neither `..` segments nor
 * symbolic links lead out of them; a link that points outside is simply not listed.
 */
import { lstat, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import {
  kindOfName,
  type ExportRefusal,
  type FileRoot,
  type FolderEntry,
  type FolderListing
} from '../../shared/file-dialog'

/** More entries than a person scrolls through; the listing says it stopped. */
const MAX_ENTRIES = 2000
/** The largest .ipynb the dialog imports (the WebSocket carries it to the service in one message). */
export const MAX_IPYNB_BYTES = 64 * 1024 * 1024

export class FileAccess {
  private constructor(private readonly roots: FileRoot[]) {}

  /** Roots that do not exist are left out; the others are kept resolved. */
  static async create(roots: FileRoot[]): Promise<FileAccess> {
    const resolved: FileRoot[] = []
    for (const root of roots) {
      const real = await realpath(root.path).catch(() => null)
      if (real && !resolved.some((r) => r.path === real)) resolved.push({ label: root.label, path: real })
    }
    return new FileAccess(resolved)
  }

  /** The real path of `path` when it is inside a root; null otherwise (or when it does not exist). */
  async resolveInside(path: string): Promise<string | null> {
    if (!isAbsolute(path) || path.includes('\0')) return null
    const real = await realpath(path).catch(() => null)
    return real && this.rootOf(real) ? real : null
  }

  async list(folder: string | null): Promise<Result<FolderListing>> {
    const first = this.roots[0]
    if (!first) return fail('No folder to browse: neither the home folder nor the data folder exists.')
    const real = folder === null ? first.path : await this.resolveInside(folder)
    if (!real) return fail(`${folder} is not a folder Fuelbook may list (only under ${this.rootNames()}).`)
    let names: string[]
    try {
      names = (await readdir(real, { withFileTypes: true })).map((d) => d.name)
    } catch (error) {
      return fail(`Cannot list ${real}: ${messageOf(error)}`)
    }
    const entries: FolderEntry[] = []
    for (const name of names.sort((a, b) => a.localeCompare(b))) {
      if (name.startsWith('.')) continue
      const entry = await this.entry(join(real, name), name)
      if (entry) entries.push(entry)
    }
    entries.sort((a, b) => Number(b.kind === 'folder') - Number(a.kind === 'folder'))
    const root = this.rootOf(real)!
    return ok({
      folder: real,
      parent: real === root.path ? null : dirname(real),
      roots: this.roots,
      entries: entries.slice(0, MAX_ENTRIES),
      truncated: entries.length > MAX_ENTRIES
    })
  }

  async readIpynb(path: string): Promise<Result<{ name: string; content: string }>> {
    if (kindOfName(path) !== 'ipynb') return fail(`${basename(path)} is not an .ipynb file.`)
    const real = await this.resolveInside(path)
    if (!real) return fail(`${path} is not a file Fuelbook may read (only under ${this.rootNames()}).`)
    const info = await stat(real)
    if (!info.isFile()) return fail(`${path} is not a file.`)
    if (info.size > MAX_IPYNB_BYTES)
      return fail(
        `${basename(path)} is ${info.size} bytes, over the ${MAX_IPYNB_BYTES} bytes an import takes.`
      )
    return ok({ name: basename(real).replace(/\.ipynb$/i, ''), content: await readFile(real, 'utf8') })
  }

  /** Writes `content` at `target` (its folder inside a root); an existing file only when `overwrite`. */
  async write(target: string, content: string, overwrite: boolean): Promise<Result<string, ExportRefusal>> {
    const refused = (message: string) => fail<ExportRefusal>({ reason: 'refused', message })
    const name = basename(target)
    if (!isAbsolute(target) || !name || name.startsWith('.')) return refused(`${target} is not a file path.`)
    const folder = await this.resolveInside(dirname(target))
    if (!folder)
      return refused(
        `${dirname(target)} is not a folder Fuelbook may write to (only under ${this.rootNames()}).`
      )
    const path = join(folder, name)
    const existing = await lstat(path).catch(() => null)
    if (existing) {
      if (!existing.isFile()) return refused(`${path} exists and is not a plain file; choose another name.`)
      if (!overwrite) return fail({ reason: 'exists', message: `${path} exists. Replace it?` })
    }
    try {
      await writeFile(path, content, { flag: overwrite ? 'w' : 'wx' })
    } catch (error) {
      return refused(`Cannot write ${path}: ${messageOf(error)}`)
    }
    return ok(path)
  }

  private async entry(path: string, name: string): Promise<FolderEntry | null> {
    // A symbolic link is followed, and shown only when it stays inside a root.
    const real = await this.resolveInside(path)
    if (!real) return null
    const info = await stat(real).catch(() => null)
    if (!info) return null
    const kind = info.isDirectory() ? 'folder' : info.isFile() ? kindOfName(name) : null
    if (!kind) return null
    return { name, kind, size: kind === 'folder' ? 0 : info.size, modifiedMs: Math.round(info.mtimeMs) }
  }

  private rootOf(real: string): FileRoot | null {
    return (
      this.roots.find((root) => {
        const rel = relative(root.path, real)
        return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel))
      }) ?? null
    )
  }

  private rootNames(): string {
    return this.roots.map((r) => r.path).join(' and ')
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^[A-Z]+: /, '') : String(error)
}
