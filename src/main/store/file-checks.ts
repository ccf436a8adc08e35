/**
 * What can be learned about a file before SQLite touches it, and the user-facing messages for every way
 * an open can fail. Reading the 100-byte header with fs keeps "not SQLite" / "not a Fuelbook" / "newer
 * version" checks free of side effects: SQLite never opens such files, so their bytes cannot change.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'

/** `PRAGMA application_id` of every .fuelbook file: "FuBk". */
export const FUELBOOK_APPLICATION_ID = 0x4675426b

const SQLITE_MAGIC = 'SQLite format 3\0'

export interface HeaderInfo {
  applicationId: number
  userVersion: number
}

export function readHeader(file: string): Result<HeaderInfo> {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (e) {
    return fail(describeFsError(file, e))
  }
  try {
    const buf = Buffer.alloc(100)
    const n = fs.readSync(fd, buf, 0, 100, 0)
    if (n === 0) return fail(`${q(file)} is empty, not a Fuelbook notebook. Choose a .fuelbook file.`)
    if (n < 100 || buf.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      return fail(
        `${q(file)} is not a Fuelbook notebook (it is not an SQLite database). Choose a .fuelbook file; to bring in a Jupyter notebook, use Import.`
      )
    }
    return ok({ userVersion: buf.readUInt32BE(60), applicationId: buf.readUInt32BE(68) })
  } finally {
    fs.closeSync(fd)
  }
}

export function checkApplicationId(file: string, applicationId: number): string | null {
  if (applicationId === FUELBOOK_APPLICATION_ID) return null
  if (applicationId === 0) {
    return `${q(file)} is an SQLite database but not a Fuelbook notebook (no Fuelbook application id). Choose a .fuelbook file.`
  }
  return `${q(file)} is an SQLite database of another application (application id 0x${applicationId.toString(16)}), not a Fuelbook notebook. Choose a .fuelbook file.`
}

export function checkVersion(file: string, userVersion: number, supported: number): string | null {
  if (userVersion > supported) return newerMessage(file, `format version ${userVersion}`, supported)
  if (userVersion === 0) {
    return `${q(file)} is damaged: it has the Fuelbook id but no schema (format version 0). Open a backup copy.`
  }
  return null
}

export function newerMessage(file: string, what: string, supported: number): string {
  return `${q(file)} was saved by a newer Fuelbook (${what}; this version reads up to ${supported}). Update Fuelbook to open it.`
}

export function damagedMessage(file: string, detail: string): string {
  const lines = detail.split(/\n|; /).filter((l) => l.trim() !== '' && !l.startsWith('*** in database'))
  let first = lines[0] ?? 'unknown damage'
  if (first.length > 160) first = `${first.slice(0, 157)}…`
  const more = lines.length > 1 ? ` and ${lines.length - 1} more problem${lines.length > 2 ? 's' : ''}` : ''
  return `${q(file)} is damaged (SQLite reports: ${first}${more}). Open a backup copy, or try \`sqlite3 ${shellQuote(file)} .recover\` to rescue what is left.`
}

/**
 * Triggers and views are code that SQLite runs on the file's behalf (a trigger fires on Fuelbook's own
 * writes); Fuelbook's schema has none, so a file carrying one was altered by someone else.
 */
export function foreignSchemaMessage(file: string, object: { type: string; name: string }): string {
  return `${q(file)} contains a ${object.type} (“${object.name}”) that Fuelbook never makes: it was changed outside Fuelbook and could alter the notebook behind your back, so Fuelbook did not open it. If you trust the file, remove the ${object.type} with sqlite3, then open it again.`
}

export function lockedMessage(file: string): string {
  return `${q(file)} is open in another Fuelbook window or program. Close it there, then open it again.`
}

export function readOnlyNotice(file: string): string {
  return `${q(file)} is read-only: you can read it, but changes will not be saved. Use Save As… to keep an editable copy.`
}

/** Maps an exception thrown while opening or validating to a message a user can act on. */
export function describeOpenError(file: string, e: unknown): string {
  const code = (e as { code?: unknown }).code
  const msg = (e as Error).message ?? String(e)
  if (typeof code === 'string') {
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED')
      return lockedMessage(file)
    if (code === 'SQLITE_NOTADB') {
      return `${q(file)} is not a Fuelbook notebook (SQLite cannot read it as a database). Choose a .fuelbook file.`
    }
    if (code.startsWith('SQLITE_CORRUPT')) return damagedMessage(file, msg)
    if (code.startsWith('SQLITE_READONLY')) {
      return `${q(file)} needs recovery after a crash, but it is read-only. Make it writable, then open it again.`
    }
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) {
      return `Could not open ${q(file)} (${msg}). Check that the file and its folder are readable, then try again.`
    }
    if (code.startsWith('E')) return describeFsError(file, e)
  }
  return `Could not open ${q(file)}: ${msg}.`
}

export function describeFsError(file: string, e: unknown): string {
  const code = (e as { code?: unknown }).code
  if (code === 'ENOENT')
    return `${q(file)} does not exist. It may have been moved or deleted; choose it again with Open….`
  if (code === 'EISDIR') return `${q(file)} is a folder, not a notebook. Choose a .fuelbook file.`
  if (code === 'EACCES' || code === 'EPERM') {
    return `Permission denied reading ${q(file)}. Check the file's permissions, then try again.`
  }
  return `Could not open ${q(file)}: ${(e as Error).message}.`
}

/**
 * Whether the user made the file read-only. Write bits are checked as well as access(2) because root
 * (and Windows admins) can write files marked read-only: the mark is the user's intent.
 */
export function isReadOnlyFile(file: string, stat: fs.Stats): boolean {
  if ((stat.mode & 0o222) === 0) return true
  try {
    fs.accessSync(file, fs.constants.W_OK)
    fs.accessSync(path.dirname(file), fs.constants.W_OK)
    return false
  } catch {
    return true
  }
}

export function q(file: string): string {
  return `“${file}”`
}

function shellQuote(file: string): string {
  return /^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`
}
