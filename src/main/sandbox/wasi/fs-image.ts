/**
 * The file system and the fd table as plain, structured-cloneable data: part of every snapshot.
 *
 * Why the fd table is in the image: wasi-libc keeps its preopen table (and any FILE* a cell left
 * open) in linear memory and refers to files by fd number, and the shim never reuses fd numbers
 * (~53 slots are in use after boot). A restore therefore rebuilds the table with the same length
 * and the same open files at the same positions, or the next cell fails with EBADF.
 */
import { Buffer } from 'node:buffer'
import type { Fd } from '@bjorn3/browser_wasi_shim'
import {
  FIRST_WRITABLE_INO,
  InoCounter,
  MemDirectory,
  MemFile,
  MemOpenDirectory,
  MemOpenFile,
  MemPreopen,
  setParent
} from './memfs'

export type FsNodeImage =
  | { kind: 'file'; ino: number; data: Uint8Array; mtimeNs: bigint }
  | { kind: 'dir'; ino: number; entries: [string, number][]; mtimeNs: bigint }

export type FdImage =
  | null
  | { kind: 'stdio'; fd: 0 | 1 | 2 }
  | { kind: 'preopen'; name: string; ino: number }
  /** `read`/`write` are absent in images saved before they were kept: such fds allow both. */
  | { kind: 'file'; ino: number; pos: number; append: boolean; read?: boolean; write?: boolean }
  | { kind: 'dir'; ino: number }

export interface FsImage {
  /** Inode of "/", the writable tree. */
  rootIno: number
  nextIno: number
  /** Writable inodes reachable from "/" or from an open fd (an unlinked file can stay open). */
  nodes: FsNodeImage[]
  fds: FdImage[]
  /** Permission bits set with chmod, [ino, mode] (absent in images saved before they were kept). */
  modes?: [number, number][]
}

/** Files the guest may read but never change (the stdlib zip), mounted at `mountPoint`. */
export interface ReadOnlyMount {
  mountPoint: string
  files: Record<string, Uint8Array>
}

/** A wheel the notebook stores, mounted read-only for a run (src/main/packages/README.md). */
export interface MountedWheel {
  filename: string
  /** Hex sha256 of `bytes`: names the wheel's inode, so an fd a snapshot kept open finds it again. */
  sha256: string
  bytes: Uint8Array
  /**
   * The wheel's bytecode cache (src/main/packages/bytecode.ts) and its hex sha256, mounted beside
   * it as `FILENAME.bytecode`; absent: its modules compile from source on import.
   */
  bytecode?: { sha256: string; bytes: Uint8Array }
}

/** What the bytecode cache of the wheel `filename` is called in the mount (runtime/site/fuelbook_wheels.py). */
export const BYTECODE_SUFFIX = '.bytecode'

/** Folder of the mount that holds the notebook's wheels (PACKAGES_DIR in runtime/site/fuelbook_wheels.py). */
export const PACKAGES_FOLDER = 'fuelbook-packages'
const PACKAGES_FOLDER_INO = FIRST_WRITABLE_INO - 1
/**
 * Wheel inodes live far above every writable inode (those count up from FIRST_WRITABLE_INO), are
 * numbered from the wheel's hash (stable whatever else is installed) and, being read-only and
 * provided by the host on every run, are never part of a snapshot.
 */
export const PACKAGE_INO_BASE = 2 ** 40

function wheelIno(sha256: string): number {
  return PACKAGE_INO_BASE + Number.parseInt(sha256.slice(0, 8), 16)
}

/** A wheel's bytecode cache: above every wheel inode, from the same hash. */
function bytecodeIno(sha256: string): number {
  return wheelIno(sha256) + 2 ** 32
}

/** What one worker builds once: the read-only tree, shared by every run (never written). */
export class StaticTree {
  readonly byIno = new Map<number, MemFile | MemDirectory>()
  readonly root: MemDirectory
  private readonly inos: InoCounter
  private packagesKey = ''

  constructor(readonly mount: ReadOnlyMount) {
    const inos = new InoCounter(1)
    this.inos = inos
    this.root = new MemDirectory(inos.issue(), true, inos)
    this.byIno.set(Number(this.root.ino), this.root)
    for (const name of Object.keys(mount.files).sort()) {
      const file = new MemFile(inos.issue(), mount.files[name]!, { readonly: true, shared: true })
      this.root.contents.set(name, file)
      this.byIno.set(Number(file.ino), file)
    }
    if (inos.next >= PACKAGES_FOLDER_INO) throw new Error('read-only tree: too many files')
  }

  /** Mounts this run's wheels under PACKAGES_FOLDER (replacing the last run's); none: no folder. */
  mountPackages(wheels: readonly MountedWheel[]): void {
    const key = wheels.map((w) => `${w.sha256}+${w.bytecode?.sha256 ?? ''}`).join(',')
    if (key === this.packagesKey) return
    this.packagesKey = key
    for (const ino of [...this.byIno.keys()]) if (ino >= PACKAGES_FOLDER_INO) this.byIno.delete(ino)
    this.root.contents.delete(PACKAGES_FOLDER)
    if (wheels.length === 0) return
    const folder = new MemDirectory(PACKAGES_FOLDER_INO, true, this.inos)
    setParent(folder, this.root)
    this.byIno.set(PACKAGES_FOLDER_INO, folder)
    for (const wheel of wheels) {
      const file = new MemFile(wheelIno(wheel.sha256), wheel.bytes, { readonly: true, shared: true })
      folder.contents.set(wheel.filename, file)
      this.byIno.set(Number(file.ino), file)
      if (wheel.bytecode === undefined) continue
      const cache = new MemFile(bytecodeIno(wheel.sha256), wheel.bytecode.bytes, {
        readonly: true,
        shared: true
      })
      folder.contents.set(wheel.filename + BYTECODE_SUFFIX, cache)
      this.byIno.set(Number(cache.ino), cache)
    }
    this.root.contents.set(PACKAGES_FOLDER, folder)
  }
}

/** The initial image: stdio, "/" (with an empty /tmp) and the read-only mount, in that fd order. */
export function initialFsImage(tree: StaticTree): FsImage {
  const rootIno = FIRST_WRITABLE_INO
  const tmpIno = FIRST_WRITABLE_INO + 1
  return {
    rootIno,
    nextIno: FIRST_WRITABLE_INO + 2,
    nodes: [
      { kind: 'dir', ino: rootIno, entries: [['tmp', tmpIno]], mtimeNs: 0n },
      { kind: 'dir', ino: tmpIno, entries: [], mtimeNs: 0n }
    ],
    fds: [
      { kind: 'stdio', fd: 0 },
      { kind: 'stdio', fd: 1 },
      { kind: 'stdio', fd: 2 },
      { kind: 'preopen', name: '/', ino: rootIno },
      { kind: 'preopen', name: tree.mount.mountPoint, ino: Number(tree.root.ino) }
    ]
  }
}

export interface LiveFs {
  fds: (Fd | undefined)[]
  root: MemDirectory
  inos: InoCounter
}

/** Builds live inodes and fds from an image. File bytes are shared copy-on-write with the image. */
export function restoreFs(image: FsImage, tree: StaticTree, stdio: readonly [Fd, Fd, Fd]): LiveFs {
  const inos = new InoCounter(image.nextIno)
  for (const [ino, mode] of image.modes ?? []) inos.modes.set(ino, mode)
  const live = new Map<number, MemFile | MemDirectory>()
  for (const node of image.nodes) {
    live.set(
      node.ino,
      node.kind === 'file'
        ? new MemFile(node.ino, node.data, { shared: true, mtimeNs: node.mtimeNs })
        : new MemDirectory(node.ino, false, inos, [], node.mtimeNs)
    )
  }
  for (const node of image.nodes) {
    if (node.kind !== 'dir') continue
    const dir = live.get(node.ino) as MemDirectory
    for (const [name, ino] of node.entries) {
      const child = live.get(ino)
      if (child === undefined) throw new Error(`fs image: entry ${name} -> missing inode ${ino}`)
      if (child instanceof MemDirectory) setParent(child, dir)
      else child.links++
      dir.contents.set(name, child)
    }
  }
  const lookup = (ino: number): MemFile | MemDirectory => {
    const node = live.get(ino) ?? tree.byIno.get(ino)
    if (node === undefined) throw new Error(`fs image: fd refers to missing inode ${ino}`)
    return node
  }
  // A wheel removed since the snapshot: the fd a cell kept open on it is closed (EBADF), not fatal.
  const unmounted = (ino: number): boolean =>
    (ino === PACKAGES_FOLDER_INO || ino >= PACKAGE_INO_BASE) && !tree.byIno.has(ino)
  const fds = image.fds.map((fd): Fd | undefined => {
    if (fd === null) return undefined
    if ((fd.kind === 'file' || fd.kind === 'dir') && unmounted(fd.ino)) return undefined
    switch (fd.kind) {
      case 'stdio':
        return stdio[fd.fd]
      case 'preopen':
        return new MemPreopen(fd.name, lookup(fd.ino) as MemDirectory)
      case 'file': {
        const access = { read: fd.read ?? true, write: fd.write ?? true }
        const open = new MemOpenFile(lookup(fd.ino) as MemFile, fd.append, access)
        open.pos = fd.pos
        return open
      }
      case 'dir':
        return new MemOpenDirectory(lookup(fd.ino) as MemDirectory)
    }
  })
  // Every run gets stdin, stdout and stderr at 0-2 again, whatever an earlier cell did to them
  // (os.close(1) must not silence the cells after it).
  stdio.forEach((fd, i) => (fds[i] = fd))
  const root = live.get(image.rootIno)
  if (!(root instanceof MemDirectory)) throw new Error('fs image: root is not a directory')
  return { fds, root, inos }
}

/** The live state as an image. Unchanged files reuse the bytes of the image they came from. */
export function captureFs(fs: LiveFs, stdio: readonly [Fd, Fd, Fd]): FsImage {
  const nodes: FsNodeImage[] = []
  const seen = new Set<number>()
  const visit = (node: MemFile | MemDirectory): void => {
    const ino = Number(node.ino)
    if (ino < FIRST_WRITABLE_INO || ino >= PACKAGE_INO_BASE || seen.has(ino)) return
    seen.add(ino)
    if (node instanceof MemFile) {
      nodes.push({ kind: 'file', ino, data: node.capture(), mtimeNs: node.mtimeNs })
      return
    }
    const entries: [string, number][] = []
    for (const [name, child] of node.contents) entries.push([name, Number(child.ino)])
    nodes.push({ kind: 'dir', ino, entries, mtimeNs: node.mtimeNs })
    for (const child of node.contents.values()) visit(child)
  }
  visit(fs.root)
  const fds = fs.fds.map((fd): FdImage => {
    if (fd === undefined) return null
    const stdioIndex = stdio.indexOf(fd)
    if (stdioIndex >= 0) return { kind: 'stdio', fd: stdioIndex as 0 | 1 | 2 }
    if (fd instanceof MemPreopen) return { kind: 'preopen', name: fd.prestatName, ino: Number(fd.dir.ino) }
    if (fd instanceof MemOpenFile) {
      visit(fd.file)
      return { kind: 'file', ino: Number(fd.file.ino), pos: fd.pos, append: fd.append, ...fd.access }
    }
    if (fd instanceof MemOpenDirectory) {
      visit(fd.dir)
      return { kind: 'dir', ino: Number(fd.dir.ino) }
    }
    throw new Error(`fs image: fd of unknown kind ${fd.constructor.name}`)
  })
  const modes = [...fs.inos.modes].filter(([ino]) => seen.has(ino))
  return { rootIno: Number(fs.root.ino), nextIno: fs.inos.next, nodes, fds, modes }
}

/**
 * `next` with `start`'s file bytes, as the same objects, for every file the run left as it was. A
 * state that came back from a worker holds new views of the same shared memory, and what was
 * derived from the bytes and cached by object (the chunk hashes of a saved file, kernel/persist.ts)
 * would otherwise be computed again after every run.
 */
export function keepUnchangedFiles(next: FsImage, start: FsImage): FsImage {
  const before = new Map<number, Uint8Array>()
  for (const node of start.nodes) if (node.kind === 'file') before.set(node.ino, node.data)
  const nodes = next.nodes.map((node): FsNodeImage => {
    if (node.kind !== 'file') return node
    const old = before.get(node.ino)
    return old !== undefined && sameBytes(old, node.data) ? { ...node, data: old } : node
  })
  return { ...next, nodes }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.byteLength === b.byteLength &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength)
    )
  )
}
