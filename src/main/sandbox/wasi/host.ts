/**
 * The WASI host of one run, on @bjorn3/browser_wasi_shim 0.4.2.
 *
 * The guest sees: an empty stdin; stdout/stderr and the `fuelbook.emit` rich channel going to an
 * OutputSink; a writable in-memory "/" (with /tmp; it is the cwd) that is part of the kernel state;
 * the stdlib zip read-only under its mount point; no environment, no host file, no socket.
 *
 * What the shim gets wrong for CPython, fixed here (each pinned by test/unit/wasi-host.test.ts):
 * - poll_oneoff busy-waits (100% CPU for time.sleep), reads the clock flags at the wrong offset
 *   and never writes `nevents`: replaced by one that sleeps with Atomics.wait.
 * - Filestat.write_bytes writes atim/mtim/ctim at offsets 38/46/52 instead of 40/48/56.
 * - sock_* throw a string (a JS exception through wasm = a crash): they return ENOTSUP.
 * - clock_res_get knows only two clocks (time.get_clock_info('process_time') raised ENOSYS).
 * - path_rename moved a directory into itself (then lost it); path_symlink ignored the target.
 * - random_get/clock_time_get are replaced to get seeded/virtual variants and a monotonic clock
 *   that survives restores; proc_exit throws our own ProcExit so callers need not import the shim.
 */
import { Fd, WASI, wasi } from '@bjorn3/browser_wasi_shim'
import { GuestClock, GuestRandom, type ClockState } from './entropy'
import { captureFs, restoreFs, type FsImage, type LiveFs, type StaticTree } from './fs-image'
import { formatBytes } from '../../../shared/format'
import { FsQuota, imageUsage } from './fs-quota'
import { MemDirectory, MemOpenDirectory, setFsClock, setFsQuota } from './memfs'

export type StreamName = 'stdout' | 'stderr'

/** Where the guest's output goes. Called synchronously from inside wasm: keep it cheap. */
export interface OutputSink {
  stream(name: StreamName, bytes: Uint8Array): void
  /** One `fuelbook.emit(kind, payload)` record (UTF-8 JSON), as a view into guest memory: read it now. */
  rich(kind: number, bytes: Uint8Array): void
  /** The guest is about to sleep: a good moment to show what it printed so far. */
  beforeSleep(): void
}

/** `proc_exit` (os._exit): the instance is finished. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`exit with code ${code}`)
  }
}

/** Everything of the WASI host that belongs to the kernel state. */
export interface WasiState {
  fs: FsImage
  clock: ClockState
}

class StdinFd extends Fd {
  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_CHARACTER_DEVICE, 0)
    fdstat.fs_rights_base = BigInt(wasi.RIGHTS_FD_READ | wasi.RIGHTS_FD_SEEK | wasi.RIGHTS_FD_TELL)
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }
  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat } {
    return { ret: wasi.ERRNO_SUCCESS, filestat: new wasi.Filestat(0n, wasi.FILETYPE_CHARACTER_DEVICE, 0n) }
  }
  override fd_read(): { ret: number; data: Uint8Array } {
    return { ret: wasi.ERRNO_SUCCESS, data: new Uint8Array(0) }
  }
  override fd_seek(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SPIPE, offset: 0n }
  }
}

/** stdout/stderr behave like pipes (not ttys: output is not coloured for a terminal). */
class StreamFd extends Fd {
  constructor(private readonly write: (bytes: Uint8Array) => void) {
    super()
  }
  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_CHARACTER_DEVICE, 0)
    // With SEEK/TELL rights, wasi-libc's isatty() answers "not a tty".
    fdstat.fs_rights_base = BigInt(wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_FD_SEEK | wasi.RIGHTS_FD_TELL)
    return { ret: wasi.ERRNO_SUCCESS, fdstat }
  }
  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat } {
    return { ret: wasi.ERRNO_SUCCESS, filestat: new wasi.Filestat(0n, wasi.FILETYPE_CHARACTER_DEVICE, 0n) }
  }
  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    this.write(data)
    return { ret: wasi.ERRNO_SUCCESS, nwritten: data.byteLength }
  }
  override fd_seek(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SPIPE, offset: 0n }
  }
}

/** WASI's filestat layout (the shim writes the three timestamps at wrong offsets). */
function writeFilestat(view: DataView, ptr: number, stat: wasi.Filestat): void {
  view.setBigUint64(ptr, stat.dev, true)
  view.setBigUint64(ptr + 8, stat.ino, true)
  view.setUint8(ptr + 16, stat.filetype)
  view.setBigUint64(ptr + 24, stat.nlink, true)
  view.setBigUint64(ptr + 32, stat.size, true)
  view.setBigUint64(ptr + 40, stat.atim, true)
  view.setBigUint64(ptr + 48, stat.mtim, true)
  view.setBigUint64(ptr + 56, stat.ctim, true)
}

/** Resolution of every guest clock: readings have microsecond steps (entropy.ts). */
const CLOCK_RESOLUTION_NS = 1_000n

/** Sleeps in slices so that a worker.terminate() never waits for a long sleep to end. */
const SLEEP_SLICE_MS = 100
const sleepCell = new Int32Array(new SharedArrayBuffer(4))
function sleepMs(ms: number): void {
  const end = performance.now() + ms
  for (let left = ms; left > 0; left = end - performance.now()) {
    Atomics.wait(sleepCell, 0, 0, Math.min(left, SLEEP_SLICE_MS))
  }
}

export interface WasiHostOptions {
  tree: StaticTree
  state: WasiState
  deterministic: boolean
  sink: OutputSink
  /** The file system's quota in bytes (fs-quota.ts); default: none. */
  fsQuotaBytes?: number
  /** `fuelbook.fuel_consumed()`: the fuel this run has used so far, as the meter counts it. */
  fuelConsumed: () => bigint
  /** Test hook; defaults to a real sleep. */
  sleep?: (ms: number) => void
}

export class WasiHost {
  readonly imports: WebAssembly.Imports
  private readonly shim: WASI
  private readonly fs: LiveFs
  private readonly stdio: readonly [Fd, Fd, Fd]
  private readonly clock: GuestClock
  private readonly random: GuestRandom
  private readonly clockState: ClockState
  readonly fsQuota: FsQuota
  private memory: WebAssembly.Memory | null = null

  constructor(private readonly options: WasiHostOptions) {
    const { sink } = options
    this.stdio = [
      new StdinFd(),
      new StreamFd((b) => sink.stream('stdout', b)),
      new StreamFd((b) => sink.stream('stderr', b))
    ]
    const quotaBytes = options.fsQuotaBytes ?? Number.POSITIVE_INFINITY
    this.fsQuota = new FsQuota(quotaBytes, imageUsage(options.state.fs), () =>
      // The guest sees ENOSPC ("No space left on device"); this line says which space.
      sink.stream(
        'stderr',
        new TextEncoder().encode(
          `fuelbook: the sandbox file system is full: its quota is ${formatBytes(quotaBytes)} ` +
            '(the notebook setting "file system", or --fs-quota)\n'
        )
      )
    )
    this.fs = restoreFs(options.state.fs, options.tree, this.stdio)
    // The clock state is mutated by the run; the caller's copy (the head) must stay as it was.
    const c = options.state.clock
    this.clockState = { monotonicFloorNs: c.monotonicFloorNs, virtualNs: c.virtualNs, random: [...c.random] }
    this.clock = new GuestClock(this.clockState, options.deterministic)
    this.random = new GuestRandom(this.clockState, options.deterministic)
    this.shim = new WASI(['python3.11'], [], this.fs.fds as Fd[], { debug: false })
    // The shim keeps the table in this array and pushes new fds onto it.
    this.shim.fds = this.fs.fds as Fd[]
    this.imports = {
      wasi_snapshot_preview1: { ...this.shim.wasiImport, ...this.fixes() },
      fuelbook: {
        emit: (kind: number, ptr: number, len: number): void => {
          const buffer = this.mem().buffer
          const start = ptr >>> 0
          const length = len >>> 0
          // A view, not a copy: the sink reads it at once and keeps only what the output cap allows.
          if (start + length > buffer.byteLength) sink.rich(kind, new Uint8Array(0))
          else sink.rich(kind, new Uint8Array(buffer, start, length))
        },
        fuel_consumed: (): bigint => options.fuelConsumed(),
        // Permission bits, which WASI preview 1 lacks, kept by inode for the runtime's os.chmod,
        // os.stat, os.access, os.open and os.mkdir (runtime/patches/posix-wasi-chmod-utime.patch).
        mode_bits: (ino: bigint): number => this.modeBits(Number(ino)),
        set_mode_bits: (ino: bigint, mode: number): number => this.setModeBits(Number(ino), mode)
      }
    }
  }

  /** Call once the instance exists (the memory may be imported or exported). */
  bind(memory: WebAssembly.Memory): void {
    this.memory = memory
    ;(this.shim as unknown as { inst: { exports: { memory: WebAssembly.Memory } } }).inst = {
      exports: { memory }
    }
    setFsClock(() => this.clock.realtimeNs())
    setFsQuota(this.fsQuota)
  }

  capture(): WasiState {
    const c = this.clockState
    return {
      fs: captureFs(this.fs, this.stdio),
      clock: { monotonicFloorNs: c.monotonicFloorNs, virtualNs: c.virtualNs, random: [...c.random] }
    }
  }

  private mem(): WebAssembly.Memory {
    if (this.memory === null) throw new Error('WasiHost: bind(memory) was not called')
    return this.memory
  }

  private view(): DataView {
    return new DataView(this.mem().buffer)
  }

  /** Hands each buffer of a WASI iovec list to `write` as a view of linear memory, as the shim's loop does. */
  private writeIovecs(
    iovsPtr: number,
    iovsLen: number,
    nwrittenPtr: number,
    write: (data: Uint8Array) => { ret: number; nwritten: number }
  ): number {
    const view = this.view()
    const memory = new Uint8Array(this.mem().buffer)
    let written = 0
    let ret: number = wasi.ERRNO_SUCCESS
    for (let i = 0; i < iovsLen; i++) {
      const buf = view.getUint32(iovsPtr + i * 8, true)
      const len = view.getUint32(iovsPtr + i * 8 + 4, true)
      const part = write(memory.subarray(buf, buf + len))
      ret = part.ret
      if (ret !== wasi.ERRNO_SUCCESS) break
      written += part.nwritten
      if (part.nwritten !== len) break
    }
    view.setUint32(nwrittenPtr, written, true)
    return ret
  }

  private readPath(ptr: number, len: number): string {
    return new TextDecoder().decode(new Uint8Array(this.mem().buffer, ptr, len))
  }

  /** An inode's permission bits; -1: never set (the runtime then shows the usual 0644/0755). */
  private modeBits(ino: number): number {
    const readOnly = this.options.tree.byIno.get(ino)
    if (readOnly !== undefined) return readOnly instanceof MemDirectory ? 0o555 : 0o444
    return this.fs.inos.modes.get(ino) ?? -1
  }

  /** chmod(2) by inode: the read-only tree (stdlib, wheels) refuses with EROFS, as Linux does. */
  private setModeBits(ino: number, mode: number): number {
    if (this.options.tree.byIno.has(ino)) return wasi.ERRNO_ROFS
    this.fs.inos.modes.set(ino, mode & 0o7777)
    return wasi.ERRNO_SUCCESS
  }

  private nowNs(clockId: number): bigint {
    return clockId === wasi.CLOCKID_REALTIME ? this.clock.realtimeNs() : this.clock.monotonicNs()
  }

  private fixes(): Record<string, (...args: never[]) => unknown> {
    const fds = this.fs.fds
    const shimRename = this.shim.wasiImport.path_rename as (...args: number[]) => number
    return {
      clock_time_get: (id: number, _precision: bigint, ptr: number): number => {
        if (id < 0 || id > 3) return wasi.ERRNO_INVAL
        // CPU-time clocks read the monotonic clock: a sandboxed cell has no other CPU to share.
        this.view().setBigUint64(ptr, this.nowNs(id), true)
        return wasi.ERRNO_SUCCESS
      },
      clock_res_get: (id: number, ptr: number): number => {
        if (id < 0 || id > 3) return wasi.ERRNO_INVAL
        this.view().setBigUint64(ptr, CLOCK_RESOLUTION_NS, true)
        return wasi.ERRNO_SUCCESS
      },
      random_get: (ptr: number, len: number): number => {
        this.random.fill(new Uint8Array(this.mem().buffer, ptr, len))
        return wasi.ERRNO_SUCCESS
      },
      // The shim copies every buffer a cell writes before handing it on, so a 100 MB print was a
      // 100 MB host buffer. Every fd here uses what it is given at once (the output model decodes
      // only what it keeps, a file copies into its own storage within the quota): a view will do.
      fd_write: (fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): number => {
        const target = fds[fd]
        if (target === undefined) return wasi.ERRNO_BADF
        return this.writeIovecs(iovsPtr, iovsLen, nwrittenPtr, (data) => target.fd_write(data))
      },
      fd_pwrite: (
        fd: number,
        iovsPtr: number,
        iovsLen: number,
        offset: bigint,
        nwrittenPtr: number
      ): number => {
        const target = fds[fd]
        if (target === undefined) return wasi.ERRNO_BADF
        return this.writeIovecs(iovsPtr, iovsLen, nwrittenPtr, (data) => {
          const result = target.fd_pwrite(data, offset)
          offset += BigInt(result.nwritten)
          return result
        })
      },
      fd_filestat_get: (fd: number, ptr: number): number => {
        const file = fds[fd]
        if (file === undefined) return wasi.ERRNO_BADF
        const { ret, filestat } = file.fd_filestat_get()
        if (filestat !== null) writeFilestat(this.view(), ptr, filestat)
        return ret
      },
      path_filestat_get: (
        fd: number,
        flags: number,
        pathPtr: number,
        pathLen: number,
        ptr: number
      ): number => {
        const dir = fds[fd]
        if (dir === undefined) return wasi.ERRNO_BADF
        const { ret, filestat } = dir.path_filestat_get(flags, this.readPath(pathPtr, pathLen))
        if (filestat !== null) writeFilestat(this.view(), ptr, filestat)
        return ret
      },
      path_rename: (
        fd: number,
        oldPtr: number,
        oldLen: number,
        newFd: number,
        newPtr: number,
        newLen: number
      ): number => {
        const from = fds[fd]
        const to = fds[newFd]
        if (
          from instanceof MemOpenDirectory &&
          to instanceof MemOpenDirectory &&
          from.renamesIntoItself(this.readPath(oldPtr, oldLen), to, this.readPath(newPtr, newLen))
        )
          return wasi.ERRNO_INVAL
        return shimRename(fd, oldPtr, oldLen, newFd, newPtr, newLen)
      },
      path_symlink: (
        _oldPtr: number,
        _oldLen: number,
        fd: number,
        newPtr: number,
        newLen: number
      ): number => {
        const dir = fds[fd]
        if (!(dir instanceof MemOpenDirectory)) return wasi.ERRNO_BADF
        return dir.symlinkRefusal(this.readPath(newPtr, newLen))
      },
      poll_oneoff: (inPtr: number, outPtr: number, count: number, neventsPtr: number): number =>
        this.pollOneoff(inPtr, outPtr, count, neventsPtr),
      proc_exit: (code: number): never => {
        throw new ProcExit(code)
      },
      proc_raise: (): number => wasi.ERRNO_NOSYS,
      sched_yield: (): number => wasi.ERRNO_SUCCESS,
      sock_accept: (): number => wasi.ERRNO_NOTSUP,
      sock_recv: (): number => wasi.ERRNO_NOTSUP,
      sock_send: (): number => wasi.ERRNO_NOTSUP,
      sock_shutdown: (): number => wasi.ERRNO_NOTSUP
    }
  }

  /**
   * Subscriptions are 48 bytes: userdata u64 @0, tag u8 @8, then for a clock: id u32 @16,
   * timeout u64 @24, precision u64 @32, flags u16 @40; for an fd: fd u32 @16. Events are 32
   * bytes: userdata @0, errno u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24.
   * fd subscriptions are always ready (stdin is at EOF, the outputs never block), so only a
   * poll on clocks alone sleeps: until the earliest deadline, really (Atomics.wait, no CPU).
   */
  private pollOneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number): number {
    if (count === 0) return wasi.ERRNO_INVAL
    const view = this.view()
    let nevents = 0
    let sleepFor: bigint | null = null
    let sleepUserdata = 0n
    const writeEvent = (userdata: bigint, type: number): void => {
      const at = outPtr + nevents * 32
      for (let i = 0; i < 32; i += 8) view.setBigUint64(at + i, 0n, true)
      view.setBigUint64(at, userdata, true)
      view.setUint8(at + 10, type)
      nevents++
    }
    for (let i = 0; i < count; i++) {
      const sub = inPtr + i * 48
      const userdata = view.getBigUint64(sub, true)
      const tag = view.getUint8(sub + 8)
      if (tag === wasi.EVENTTYPE_CLOCK) {
        const clockId = view.getUint32(sub + 16, true)
        const timeout = view.getBigUint64(sub + 24, true)
        const absolute =
          (view.getUint16(sub + 40, true) & wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0
        let wait = absolute ? timeout - this.nowNs(clockId) : timeout
        if (wait < 0n) wait = 0n
        if (sleepFor === null || wait < sleepFor) {
          sleepFor = wait
          sleepUserdata = userdata
        }
      } else {
        writeEvent(userdata, tag)
      }
    }
    if (nevents === 0 && sleepFor !== null) {
      if (sleepFor > 0n) {
        this.options.sink.beforeSleep()
        this.clock.advance(sleepFor)
        ;(this.options.sleep ?? sleepMs)(Number(sleepFor) / 1e6)
      }
      writeEvent(sleepUserdata, wasi.EVENTTYPE_CLOCK)
    }
    this.view().setUint32(neventsPtr, nevents, true)
    return wasi.ERRNO_SUCCESS
  }
}
