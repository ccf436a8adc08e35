/**
 * Browser mode's file dialog: what the page and the server (src/main/server/file-routes.ts) say to
 * each other. A page never sees the file system otherwise; the server answers only for folders under
 * its roots (the user's home and the data folder).
 */
import type { ExportFormat } from './api'

export type FileKind = 'folder' | 'fuelbook' | 'ipynb' | 'html'

export interface FolderEntry {
  name: string
  kind: FileKind
  /** Bytes; 0 for folders. */
  size: number
  modifiedMs: number
}

export interface FolderListing {
  /** The folder listed, as the server resolved it (symbolic links followed). */
  folder: string
  /** The folder above, or null at a root. */
  parent: string | null
  roots: FileRoot[]
  /** Folders first, then files, each by name; hidden entries and other file types are left out. */
  entries: FolderEntry[]
  /** True when the folder held more entries than one listing carries. */
  truncated: boolean
}

export interface FileRoot {
  label: string
  path: string
}

export interface ExportRequest {
  /** The open notebook's path. */
  notebook: string
  format: ExportFormat
  /** Where to write the export. */
  target: string
  /** Replace an existing file (the user confirmed). */
  overwrite: boolean
}

/** Why an export was not written; `exists` asks the user whether to replace the file. */
export type ExportRefusal = { reason: 'exists' | 'refused'; message: string }

export const FILE_ROUTES = {
  list: '/api/files',
  readIpynb: '/api/files/ipynb',
  export: '/api/files/export'
} as const

/** What a dialog is for: which files it shows and which extension a typed name gets. */
export type FileDialogPurpose = 'open' | 'save-as' | 'export-html' | 'export-ipynb'

const SHOWN: Record<FileDialogPurpose, readonly FileKind[]> = {
  open: ['fuelbook', 'ipynb'],
  'save-as': ['fuelbook'],
  'export-html': ['html'],
  'export-ipynb': ['ipynb']
}

const EXTENSION: Record<FileDialogPurpose, string | null> = {
  open: null,
  'save-as': '.fuelbook',
  'export-html': '.html',
  'export-ipynb': '.ipynb'
}

export function shownKinds(purpose: FileDialogPurpose): readonly FileKind[] {
  return SHOWN[purpose]
}

/**
 * "My analysis: v2" → "My analysis v2", safe as a file name on every OS: the name of an export, whether
 * the service names a download with it or the file dialog suggests it.
 */
export function exportFilename(title: string, extension: string): string {
  const base = title
    // eslint-disable-next-line no-control-regex
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .slice(0, 120)
  return `${base || 'notebook'}.${extension}`
}

/** The file kind a name stands for, by its extension; null for any other file. */
export function kindOfName(name: string): Exclude<FileKind, 'folder'> | null {
  const lower = name.toLowerCase()
  if (lower.endsWith('.fuelbook')) return 'fuelbook'
  if (lower.endsWith('.ipynb')) return 'ipynb'
  if (lower.endsWith('.html')) return 'html'
  return null
}

/**
 * The path a dialog picks from what the user typed: an absolute path as typed, a name inside the
 * folder shown; the purpose's extension added when missing. Null for an empty name.
 */
export function pickedPath(folder: string, typed: string, purpose: FileDialogPurpose): string | null {
  let name = typed.trim()
  if (!name) return null
  const ext = EXTENSION[purpose]
  if (ext && !name.toLowerCase().endsWith(ext)) name += ext
  if (isAbsolutePath(name)) return name
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/'
  return folder.endsWith(sep) ? folder + name : folder + sep + name
}

export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
}

/** The folder a picked file is in ("/home/me/a.fuelbook" → "/home/me"); null for a bare name. */
export function folderOf(path: string): string | null {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  if (cut < 0) return null
  const folder = path.slice(0, cut)
  // The root itself: "/" or "C:\".
  return folder === '' || /^[A-Za-z]:$/.test(folder) ? path.slice(0, cut + 1) : folder
}
