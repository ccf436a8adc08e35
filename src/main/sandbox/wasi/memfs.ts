/**
 * The sandbox's file system: in-memory inodes on top of @bjorn3/browser_wasi_shim's Fd/Inode/
 * Directory classes, with the pieces the shim lacks for a snapshotted CPython:
 *
 * - files grow by doubling, large ones in place (the shim reallocates the whole file on every
 *   write: a 10 MB file written in 8 KiB chunks copied ~6 GB), live in SharedArrayBuffers like
 *   memory pages (an image crosses to the main thread and back without a copy) and are
 *   copy-on-write against the snapshot image they were restored from, so capturing an unchanged
 *   file costs nothing;
 * - stable inode numbers that belong to the kernel state (the shim's are a process-wide
 *   counter, so `os.stat().st_ino` would differ between two runs of the same cell);
 * - a read-only tree (the stdlib zip) that refuses every write with EROFS;
 * - permission bits (WASI preview 1 has none), kept by inode in `InoCounter.modes`: the runtime's
 *   os.chmod, and os.open/os.mkdir for what they create, store them through the host's
 *   `fuelbook.set_mode_bits` import; os.stat and os.access read them back (`fuelbook.mode_bits`;
 *   runtime/patches/posix-wasi-chmod-utime.patch). They are enforced as Linux does for an
 *   ordinary user who owns every file: no read bit, no reading; no write bit, no writing; a
 *   directory without its write bit refuses new, removed and renamed entries, one without its
 *   read bit refuses to be listed. (Search bits are kept, not enforced.)
 * - the errno native Linux gives where the shim answers differently or not at all (mkdir on an
 *   existing path, a directory opened for writing, reads on a write-only fd, link onto an
 *   existing name, ...), pinned call by call against native CPython by
 *   test/integration/wasi-errno.test.ts;
 * - `captureFs` / `restoreFs`: the tree and the fd table as plain data, saved and rolled back
 *   together with linear memory (docs/architecture.md). A file system that is not rolled back with
 *   memory corrupts SQLite databases written by the cell;
 * - the quota (fs-quota.ts): every byte a file grows by and every entry is counted; a file stops
 *   counting once no name and no open fd holds it (hard links and open-after-unlink included).
 */
import { Directory, Fd, Inode, OpenDirectory, wasi } from '@bjorn3/browser_wasi_shim'
import { ENTRY_BYTES, UNLIMITED, type FsQuota } from './fs-quota'

/** Inode numbers of the read-only tree are fixed; writable inodes start here. */
export const FIRST_WRITABLE_INO = 1000

/**
 * Every right WASI defines. Directories grant them all to what is opened through them:
 * wasi-libc asks a directory's fdstat for its inheriting rights and masks its request with
 * them, so a directory that reports none (the shim's default) makes every open fd rightless and
 * leaves the host unable to tell O_RDONLY from O_WRONLY. Refusals are made per call below.
 */
const ALL_RIGHTS = (1n << 29n) - 1n
const WRITE_RIGHTS = BigInt(
  wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_FD_DATASYNC | wasi.RIGHTS_FD_ALLOCATE | wasi.RIGHTS_FD_FILESTAT_SET_SIZE
)
const READ_RIGHTS = BigInt(wasi.RIGHTS_FD_READ | wasi.RIGHTS_FD_READDIR)

/** How an fd was opened (O_RDONLY, O_WRONLY, O_RDWR), from the rights wasi-libc asked for. */
export interface FileAccess {
  read: boolean
  write: boolean
}

function accessFromRights(rights: bigint): FileAccess {
  return { read: (rights & READ_RIGHTS) !== 0n, write: (rights & WRITE_RIGHTS) !== 0n }
}

// ---- files --------------------------------------------------------------------------------

export class MemFile extends Inode {
  /** Backing store; bytes past `size` are spare capacity. */
  private buf: Uint8Array
  size: number
  readonly readonly: boolean
  mtimeNs: bigint
  /** `buf` is also referenced by a captured image: copy before the first write. */
  private shared: boolean
  /** The image of this file as last captured, reused while the file is unchanged. */
  private captured: Uint8Array | null
  /** Names in directories that refer to this file, and open fds: it counts against the quota while either is > 0. */
  links = 0
  openFds = 0
  private counted: boolean

  constructor(
    ino: number,
    data: Uint8Array,
    options: { readonly?: boolean; shared?: boolean; mtimeNs?: bigint }
  ) {
    super()
    this.ino = BigInt(ino)
    this.buf = data
    this.size = data.byteLength
    this.readonly = options.readonly ?? false
    this.shared = options.shared ?? false
    this.captured = this.shared ? data : null
    this.mtimeNs = options.mtimeNs ?? 0n
    // Restored and new files are counted by whoever made them (imageUsage, create_entry_for_path).
    this.counted = !this.readonly
  }

  /** Counts or stops counting the file against the quota when names or fds come and go. */
  settle(): void {
    if (this.readonly) return
    const held = this.links > 0 || this.openFds > 0
    if (this.counted && !held) memQuota.release(this.size)
    else if (!this.counted && held) memQuota.force(this.size)
    this.counted = held
  }

  /** Takes the growth from `size` to `next` from the quota; false when it is over. */
  private grow(next: number): boolean {
    return next <= this.size || !this.counted || memQuota.reserve(next - this.size)
  }

  get data(): Uint8Array {
    return this.buf.subarray(0, this.size)
  }

  /**
   * The file's bytes for a snapshot image, in shared memory, so the image crosses to the main thread
   * and back without a copy; the file copies them before its next change.
   */
  capture(): Uint8Array {
    if (this.captured === null) {
      const bytes = this.buf.subarray(0, this.size)
      this.captured = mostlyUsedShared(this.buf, this.size) ? bytes : sharedCopy(bytes)
      this.buf = this.captured
    }
    this.shared = true
    return this.captured
  }

  /** Makes `buf` private and at least `capacity` long. */
  private prepareWrite(capacity: number): void {
    this.captured = null
    if (!this.shared && capacity <= this.buf.byteLength) return
    if (!this.shared && this.growInPlace(capacity)) return
    const next = fileStorage(Math.max(capacity, this.buf.byteLength), this.buf.byteLength)
    next.set(this.buf.subarray(0, this.size))
    this.buf = next
    this.shared = false
  }

  /** Grows growable storage (fileStorage) where it is: no second buffer, no copy. */
  private growInPlace(capacity: number): boolean {
    const whole = this.buf.buffer
    if (!(whole instanceof SharedArrayBuffer) || !whole.growable || this.buf.byteOffset !== 0) return false
    const length = roundUp(capacity, GROW_STEP)
    if (length > whole.maxByteLength) return false
    if (length > whole.byteLength) whole.grow(length)
    this.buf = new Uint8Array(whole, 0, length)
    return true
  }

  /** False (nothing written) when the file would grow past the quota. */
  writeAt(offset: number, bytes: Uint8Array, nowNs: bigint): boolean {
    const end = offset + bytes.byteLength
    if (!this.grow(end)) return false
    this.prepareWrite(Math.max(end, this.size))
    this.buf.set(bytes, offset)
    if (end > this.size) this.size = end
    this.mtimeNs = nowNs
    return true
  }

  /** False (size unchanged) when the file would grow past the quota. */
  resize(size: number, nowNs: bigint): boolean {
    if (!this.grow(size)) return false
    if (size < this.size && this.counted) memQuota.release(this.size - size)
    this.prepareWrite(size)
    // Bytes past the old end must read as zeros, also when spare capacity held old data.
    if (size > this.size) this.buf.fill(0, this.size, size)
    this.size = size
    this.mtimeNs = nowNs
    return true
  }

  path_open(oflags: number, fs_rights_base: bigint, fd_flags: number): { ret: number; fd_obj: Fd | null } {
    const wantsWrite = (fs_rights_base & BigInt(wasi.RIGHTS_FD_WRITE)) !== 0n
    if (this.readonly && (wantsWrite || (oflags & wasi.OFLAGS_TRUNC) !== 0))
      return { ret: wasi.ERRNO_ROFS, fd_obj: null }
    if ((oflags & wasi.OFLAGS_TRUNC) !== 0) this.resize(0, this.mtimeNs)
    const append = (fd_flags & wasi.FDFLAGS_APPEND) !== 0
    return {
      ret: wasi.ERRNO_SUCCESS,
      fd_obj: new MemOpenFile(this, append, accessFromRights(fs_rights_base))
    }
  }

  stat(): wasi.Filestat {
    const stat = new wasi.Filestat(this.ino, wasi.FILETYPE_REGULAR_FILE, BigInt(this.size))
    stat.nlink = 1n
    stat.atim = stat.mtim = stat.ctim = this.mtimeNs
    return stat
  }
}

/**
 * File bytes live in SharedArrayBuffers, like memory pages (memory-image.ts): a snapshot's files go to
 * a worker and come back without being copied.
 */
export function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length))
}

/** Files from this size on grow in place (a growable SharedArrayBuffer) rather than by doubling. */
const GROWABLE_FROM = 1 << 20
/** A growable file's storage grows in steps of this (its spare room never exceeds one step). */
const GROW_STEP = 1 << 16

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step
}

/**
 * New storage for a file that needs `capacity` bytes and had `previous`. Small files double (appends
 * stay amortised O(1)), never by more than the quota still allows. A large file gets a growable
 * SharedArrayBuffer whose maximum is what the quota allows it to reach: it then grows in place, so
 * the host never holds the old and the new buffer of a file near the quota at once (doubling did,
 * 1.5 times the file), and no spare room is ever committed.
 */
function fileStorage(capacity: number, previous: number): Uint8Array {
  const reachable = capacity + memQuota.availableBytes
  if (capacity >= GROWABLE_FROM && Number.isSafeInteger(reachable)) {
    const length = roundUp(capacity, GROW_STEP)
    const maxByteLength = Math.max(length, roundUp(reachable, GROW_STEP))
    return new Uint8Array(new SharedArrayBuffer(length, { maxByteLength }))
  }
  return sharedBytes(Math.max(capacity, Math.min(Math.max(previous * 2, 4096), reachable)))
}

function sharedCopy(bytes: Uint8Array): Uint8Array {
  const copy = sharedBytes(bytes.byteLength)
  copy.set(bytes)
  return copy
}

/**
 * `bytes` lies in shared memory of which its first `size` bytes use all but an eighth: a capture
 * takes a view of it rather than copying a file near the quota once more (a copy would briefly
 * double it) or pinning much spare room.
 */
function mostlyUsedShared(bytes: Uint8Array, size: number): boolean {
  const whole = bytes.buffer
  return whole instanceof SharedArrayBuffer && whole.byteLength - size <= whole.byteLength / 8
}

/** The clock file timestamps come from (virtual in deterministic mode). */
export type FsClock = () => bigint

export class MemOpenFile extends Fd {
  pos = 0
  constructor(
    readonly file: MemFile,
    public append: boolean,
    readonly access: FileAccess
  ) {
    super()
    file.openFds++
  }

  override fd_close(): number {
    this.file.openFds--
    this.file.settle()
    return wasi.ERRNO_SUCCESS
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, this.append ? wasi.FDFLAGS_APPEND : 0)
    // wasi-libc's fcntl(F_GETFL) derives O_RDONLY/O_WRONLY from these rights.
    let rights = ALL_RIGHTS
    if (!this.access.read) rights &= ~READ_RIGHTS
    if (!this.access.write || this.file.readonly) rights &= ~WRITE_RIGHTS
    fdstat.fs_rights_base = rights
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }
  override fd_fdstat_set_flags(flags: number): number {
    this.append = (flags & wasi.FDFLAGS_APPEND) !== 0
    return wasi.ERRNO_SUCCESS
  }
  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat } {
    return { ret: wasi.ERRNO_SUCCESS, filestat: this.file.stat() }
  }
  override fd_read(size: number): { ret: number; data: Uint8Array } {
    if (!this.access.read) return { ret: wasi.ERRNO_BADF, data: new Uint8Array(0) }
    const data = this.file.data.slice(this.pos, this.pos + size)
    this.pos += data.byteLength
    return { ret: wasi.ERRNO_SUCCESS, data }
  }
  override fd_pread(size: number, offset: bigint): { ret: number; data: Uint8Array } {
    if (!this.access.read) return { ret: wasi.ERRNO_BADF, data: new Uint8Array(0) }
    const start = Number(offset)
    return { ret: wasi.ERRNO_SUCCESS, data: this.file.data.slice(start, start + size) }
  }
  override fd_seek(offset: bigint, whence: number): { ret: number; offset: bigint } {
    const base =
      whence === wasi.WHENCE_SET
        ? 0
        : whence === wasi.WHENCE_CUR
          ? this.pos
          : whence === wasi.WHENCE_END
            ? this.file.size
            : -1
    if (base < 0) return { ret: wasi.ERRNO_INVAL, offset: 0n }
    const next = BigInt(base) + offset
    if (next < 0n || next > BigInt(Number.MAX_SAFE_INTEGER)) return { ret: wasi.ERRNO_INVAL, offset: 0n }
    this.pos = Number(next)
    return { ret: wasi.ERRNO_SUCCESS, offset: next }
  }
  override fd_tell(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SUCCESS, offset: BigInt(this.pos) }
  }
  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    if (this.file.readonly || !this.access.write) return { ret: wasi.ERRNO_BADF, nwritten: 0 }
    if (this.append) this.pos = this.file.size
    if (!this.file.writeAt(this.pos, data, memClock())) return { ret: wasi.ERRNO_NOSPC, nwritten: 0 }
    this.pos += data.byteLength
    return { ret: wasi.ERRNO_SUCCESS, nwritten: data.byteLength }
  }
  override fd_pwrite(data: Uint8Array, offset: bigint): { ret: number; nwritten: number } {
    if (this.file.readonly || !this.access.write) return { ret: wasi.ERRNO_BADF, nwritten: 0 }
    if (!this.file.writeAt(Number(offset), data, memClock())) return { ret: wasi.ERRNO_NOSPC, nwritten: 0 }
    return { ret: wasi.ERRNO_SUCCESS, nwritten: data.byteLength }
  }
  override fd_filestat_set_size(size: bigint): number {
    if (this.file.readonly) return wasi.ERRNO_BADF
    // Linux's ftruncate on an fd not open for writing.
    if (!this.access.write) return wasi.ERRNO_INVAL
    return this.file.resize(Number(size), memClock()) ? wasi.ERRNO_SUCCESS : wasi.ERRNO_NOSPC
  }
  override fd_allocate(offset: bigint, len: bigint): number {
    if (this.file.readonly || !this.access.write) return wasi.ERRNO_BADF
    const end = Number(offset + len)
    if (end > this.file.size && !this.file.resize(end, memClock())) return wasi.ERRNO_NOSPC
    return wasi.ERRNO_SUCCESS
  }
  override fd_filestat_set_times(atim: bigint, mtim: bigint, fst_flags: number): number {
    if (this.file.readonly) return wasi.ERRNO_ROFS
    setTimes(this.file, mtim, fst_flags)
    return wasi.ERRNO_SUCCESS
  }
}

function setTimes(node: MemFile | MemDirectory, mtim: bigint, fstFlags: number): void {
  if ((fstFlags & wasi.FSTFLAGS_MTIM_NOW) !== 0) node.mtimeNs = memClock()
  else if ((fstFlags & wasi.FSTFLAGS_MTIM) !== 0) node.mtimeNs = mtim
}

/**
 * One worker runs one cell at a time, so the clock for file timestamps is a module-level hook
 * set by the WASI host of the current run, not a field threaded through every inode.
 */
let memClock: FsClock = () => 0n
export function setFsClock(clock: FsClock): void {
  memClock = clock
}

/** The quota of the current run's file system (same reasoning as the clock). */
let memQuota: FsQuota = UNLIMITED()
export function setFsQuota(quota: FsQuota): void {
  memQuota = quota
}

// ---- directories --------------------------------------------------------------------------

/**
 * Issues inode numbers for one file system and keeps its permission bits (ino → mode, only for
 * what was chmod-ed; the rest has the usual 0644/0755). Both are part of the kernel state.
 */
export class InoCounter {
  readonly modes = new Map<number, number>()
  constructor(public next: number) {}
  issue(): number {
    return this.next++
  }
  /** Whether `node`'s owner bits allow `bit` (0o400 read, 0o200 write). */
  permits(node: Inode, bit: number): boolean {
    const mode = this.modes.get(Number(node.ino))
    return mode === undefined || (mode & bit) !== 0
  }
}

const READ_BIT = 0o400
const WRITE_BIT = 0o200

export class MemDirectory extends Directory {
  declare contents: Map<string, MemFile | MemDirectory>
  mtimeNs: bigint

  constructor(
    ino: number,
    readonly readonly: boolean,
    readonly inos: InoCounter,
    entries: [string, MemFile | MemDirectory][] = [],
    mtimeNs = 0n
  ) {
    super(new Map(entries))
    this.ino = BigInt(ino)
    this.mtimeNs = mtimeNs
  }

  override create_entry_for_path(path_str: string, is_dir: boolean): { ret: number; entry: Inode | null } {
    if (this.readonly) return { ret: wasi.ERRNO_ROFS, entry: null }
    const parsed = parsePath(path_str)
    if (parsed.path === null) return { ret: parsed.ret, entry: null }
    const { ret, parent_entry, filename, entry } = this.get_parent_dir_and_entry_for_path(parsed.path, true)
    if (parent_entry === null || filename === null) return { ret, entry: null }
    if (entry !== null) return { ret: wasi.ERRNO_EXIST, entry: null }
    if (!(parent_entry instanceof MemDirectory)) return { ret: wasi.ERRNO_NOTDIR, entry: null }
    if (!memQuota.reserve(ENTRY_BYTES)) return { ret: wasi.ERRNO_NOSPC, entry: null }
    const now = memClock()
    const node = is_dir
      ? new MemDirectory(this.inos.issue(), false, this.inos, [], now)
      : new MemFile(this.inos.issue(), new Uint8Array(0), { mtimeNs: now })
    if (node instanceof MemDirectory) setParent(node, parent_entry)
    else node.links = 1
    parent_entry.contents.set(filename, node)
    parent_entry.mtimeNs = now
    return { ret: wasi.ERRNO_SUCCESS, entry: node }
  }

  override path_open(): { ret: number; fd_obj: OpenDirectory } {
    return { ret: wasi.ERRNO_SUCCESS, fd_obj: new MemOpenDirectory(this) }
  }

  override stat(): wasi.Filestat {
    const stat = new wasi.Filestat(this.ino, wasi.FILETYPE_DIRECTORY, 0n)
    // "." and the entry in the parent, plus each subdirectory's "..", as on Linux.
    let subdirs = 0n
    for (const child of this.contents.values()) if (child instanceof MemDirectory) subdirs++
    stat.nlink = 2n + subdirs
    stat.atim = stat.mtim = stat.ctim = this.mtimeNs
    return stat
  }
}

/** The shim keeps `parent` private but needs it for "..": set it where the shim does not. */
export function setParent(child: MemDirectory, parent: MemDirectory): void {
  ;(child as unknown as { parent: Directory | null }).parent = parent
}

type ShimPath = Parameters<Directory['get_entry_for_path']>[0]

/** The shim's Path.from, which it does not export: relative paths only, ".." never above the root. */
export function parsePath(path: string): { ret: number; path: ShimPath | null } {
  if (path.startsWith('/')) return { ret: wasi.ERRNO_NOTCAPABLE, path: null }
  if (path.includes('\0')) return { ret: wasi.ERRNO_INVAL, path: null }
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (parts.pop() === undefined) return { ret: wasi.ERRNO_NOTCAPABLE, path: null }
      continue
    }
    parts.push(part)
  }
  return { ret: wasi.ERRNO_SUCCESS, path: { parts, is_dir: path.endsWith('/') } as unknown as ShimPath }
}

function pathOf(path: string): ShimPath {
  return parsePath(path).path ?? ({ parts: ['\0'], is_dir: false } as unknown as ShimPath)
}

/** An open directory that refuses every change when its tree is read-only. */
export class MemOpenDirectory extends OpenDirectory {
  declare dir: MemDirectory & Directory

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0)
    fdstat.fs_rights_base = ALL_RIGHTS
    fdstat.fs_rights_inherited = ALL_RIGHTS
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }
  // Linux: read(2) on a directory is EISDIR, lseek on one succeeds, ftruncate is EINVAL.
  override fd_read(): { ret: number; data: Uint8Array } {
    return { ret: wasi.ERRNO_ISDIR, data: new Uint8Array(0) }
  }
  override fd_pread(): { ret: number; data: Uint8Array } {
    return { ret: wasi.ERRNO_ISDIR, data: new Uint8Array(0) }
  }
  override fd_seek(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SUCCESS, offset: 0n }
  }
  override fd_tell(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SUCCESS, offset: 0n }
  }
  override fd_filestat_set_size(): number {
    return wasi.ERRNO_INVAL
  }

  override path_open(
    dirflags: number,
    path_str: string,
    oflags: number,
    fs_rights_base: bigint,
    fs_rights_inheriting: bigint,
    fd_flags: number
  ): { ret: number; fd_obj: Fd | null } {
    if (this.dir.readonly && (oflags & (wasi.OFLAGS_CREAT | wasi.OFLAGS_TRUNC)) !== 0) {
      return { ret: wasi.ERRNO_ROFS, fd_obj: null }
    }
    const { ret, entry } = this.dir.get_entry_for_path(pathOf(path_str))
    const wantsWrite = (fs_rights_base & BigInt(wasi.RIGHTS_FD_WRITE)) !== 0n
    // Linux: a directory opened for writing or truncation is EISDIR, and so is open("new/",
    // O_CREAT): a file is never created under a directory's name.
    const exclusive = wasi.OFLAGS_CREAT | wasi.OFLAGS_EXCL
    if (entry !== null && (oflags & exclusive) === exclusive) return { ret: wasi.ERRNO_EXIST, fd_obj: null }
    if (entry instanceof MemDirectory && (wantsWrite || (oflags & wasi.OFLAGS_TRUNC) !== 0))
      return { ret: wasi.ERRNO_ISDIR, fd_obj: null }
    const createsFile = (oflags & (wasi.OFLAGS_CREAT | wasi.OFLAGS_DIRECTORY)) === wasi.OFLAGS_CREAT
    if (ret === wasi.ERRNO_NOENT && createsFile && path_str.endsWith('/'))
      return { ret: wasi.ERRNO_ISDIR, fd_obj: null }
    const denied = this.openDenied(path_str, entry, oflags, fs_rights_base)
    if (denied) return { ret: wasi.ERRNO_ACCES, fd_obj: null }
    return super.path_open(dirflags, path_str, oflags, fs_rights_base, fs_rights_inheriting, fd_flags)
  }
  override path_create_directory(path: string): number {
    if (this.dir.readonly) return wasi.ERRNO_ROFS
    // The shim opens with O_CREAT|O_DIRECTORY and so "creates" an existing directory silently.
    const { ret, entry } = this.dir.get_entry_for_path(pathOf(path.replace(/\/+$/, '')))
    if (entry !== null) return wasi.ERRNO_EXIST
    if (ret !== wasi.ERRNO_NOENT) return ret
    if (!this.parentWritable(path)) return wasi.ERRNO_ACCES
    return super.path_create_directory(path)
  }
  /** path_link for link(2) (allow_dir false) and for the second half of rename(2) (true). */
  override path_link(path_str: string, inode: Inode, allow_dir: boolean): number {
    if (this.dir.readonly) return wasi.ERRNO_ROFS
    const replaced = this.dir.get_entry_for_path(pathOf(path_str)).entry
    if (!allow_dir && replaced !== null) return wasi.ERRNO_EXIST
    if (!this.parentWritable(path_str)) return wasi.ERRNO_ACCES
    const ret = super.path_link(path_str, inode, allow_dir)
    if (ret === wasi.ERRNO_SUCCESS && replaced !== inode) {
      // A name now holds `inode` (link, or the second half of a rename); a replaced file lost one.
      if (replaced === null) memQuota.force(ENTRY_BYTES)
      else if (replaced instanceof MemFile) unlinked(replaced)
      if (inode instanceof MemFile) {
        inode.links++
        inode.settle()
      }
    }
    if (ret === wasi.ERRNO_SUCCESS && inode instanceof MemDirectory) {
      // A renamed directory's ".." must point at its new parent.
      const parentPath = path_str
        .split('/')
        .filter((p) => p !== '')
        .slice(0, -1)
        .join('/')
      const parent = parentPath === '' ? this.dir : this.dir.get_entry_for_path(pathOf(parentPath)).entry
      if (parent instanceof MemDirectory) setParent(inode, parent)
    }
    return ret
  }
  override path_unlink(path_str: string): { ret: number; inode_obj: Inode | null } {
    if (this.dir.readonly) return { ret: wasi.ERRNO_ROFS, inode_obj: null }
    if (!this.parentWritable(path_str)) return { ret: wasi.ERRNO_ACCES, inode_obj: null }
    const result = super.path_unlink(path_str)
    if (result.ret === wasi.ERRNO_SUCCESS) {
      memQuota.release(ENTRY_BYTES)
      if (result.inode_obj instanceof MemFile) unlinked(result.inode_obj)
    }
    return result
  }
  override path_unlink_file(path_str: string): number {
    if (this.dir.readonly) return wasi.ERRNO_ROFS
    if (!this.parentWritable(path_str)) return wasi.ERRNO_ACCES
    const { entry } = this.dir.get_entry_for_path(pathOf(path_str))
    const ret = super.path_unlink_file(path_str)
    if (ret === wasi.ERRNO_SUCCESS) {
      memQuota.release(ENTRY_BYTES)
      if (entry instanceof MemFile) unlinked(entry)
    }
    return ret
  }
  override path_remove_directory(path_str: string): number {
    if (this.dir.readonly) return wasi.ERRNO_ROFS
    if (!this.parentWritable(path_str)) return wasi.ERRNO_ACCES
    const ret = super.path_remove_directory(path_str)
    if (ret === wasi.ERRNO_SUCCESS) memQuota.release(ENTRY_BYTES)
    return ret
  }
  /** The directory `path` is (or would be) an entry of may change (its owner write bit). */
  private parentWritable(path: string): boolean {
    const { parent_entry } = this.dir.get_parent_dir_and_entry_for_path(pathOf(path), true)
    return !(parent_entry instanceof MemDirectory) || this.dir.inos.permits(parent_entry, WRITE_BIT)
  }
  private openDenied(path: string, entry: Inode | null, oflags: number, rights: bigint): boolean {
    if (entry === null) return (oflags & wasi.OFLAGS_CREAT) !== 0 && !this.parentWritable(path)
    const access = accessFromRights(rights)
    const writes = access.write || (oflags & wasi.OFLAGS_TRUNC) !== 0
    return (
      (access.read && !this.dir.inos.permits(entry, READ_BIT)) ||
      (writes && !this.dir.inos.permits(entry, WRITE_BIT))
    )
  }
  /** There are no symbolic links: an existing path is not one (EINVAL), a missing one is ENOENT. */
  override path_readlink(path_str: string): { ret: number; data: string | null } {
    const { ret, entry } = this.dir.get_entry_for_path(pathOf(path_str))
    return { ret: entry === null ? ret : wasi.ERRNO_INVAL, data: null }
  }
  /** symlink(2): there are no symbolic links, but an existing name is EEXIST first, as on Linux. */
  symlinkRefusal(newPath: string): number {
    return this.dir.get_entry_for_path(pathOf(newPath)).entry === null ? wasi.ERRNO_NOTSUP : wasi.ERRNO_EXIST
  }
  /** rename(2) of a directory into itself or below it: checked before the shim unlinks it. */
  renamesIntoItself(oldPath: string, target: MemOpenDirectory, newPath: string): boolean {
    const source = this.dir.get_entry_for_path(pathOf(oldPath)).entry
    if (!(source instanceof MemDirectory)) return false
    const parts = newPath.split('/').filter((p) => p !== '' && p !== '.')
    for (let i = 1; i <= parts.length; i++) {
      if (target.dir.get_entry_for_path(pathOf(parts.slice(0, i).join('/'))).entry === source) return true
    }
    return false
  }
  override path_filestat_set_times(
    _flags: number,
    path: string,
    _atim: bigint,
    mtim: bigint,
    fst_flags: number
  ): number {
    if (this.dir.readonly) return wasi.ERRNO_ROFS
    const { entry } = this.dir.get_entry_for_path(pathOf(path))
    if (!(entry instanceof MemFile || entry instanceof MemDirectory)) return wasi.ERRNO_NOENT
    setTimes(entry, mtim, fst_flags)
    return wasi.ERRNO_SUCCESS
  }
  override fd_filestat_set_times(_atim: bigint, mtim: bigint, fst_flags: number): number {
    if (this.dir.readonly) return wasi.ERRNO_ROFS
    setTimes(this.dir, mtim, fst_flags)
    return wasi.ERRNO_SUCCESS
  }
}

/** One name less refers to `file`; it stops counting once nothing holds it. */
function unlinked(file: MemFile): void {
  file.links = Math.max(0, file.links - 1)
  file.settle()
}

/** A directory the guest finds at start-up (wasi-libc resolves absolute paths against these). */
export class MemPreopen extends MemOpenDirectory {
  constructor(
    readonly prestatName: string,
    dir: MemDirectory
  ) {
    super(dir)
  }
  override fd_prestat_get(): { ret: number; prestat: wasi.Prestat | null } {
    return { ret: wasi.ERRNO_SUCCESS, prestat: wasi.Prestat.dir(this.prestatName) }
  }
}
