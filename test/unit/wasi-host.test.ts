/**
 * The WASI host's fixes to browser_wasi_shim and its snapshot of the file system, driven through
 * the import functions directly (what the guest would call), on a plain WebAssembly.Memory.
 */
import { wasi } from '@bjorn3/browser_wasi_shim'
import { describe, expect, it } from 'vitest'
import { initialClockState } from '../../src/main/sandbox/wasi/entropy'
import { initialFsImage, StaticTree } from '../../src/main/sandbox/wasi/fs-image'
import { WasiHost, type OutputSink, type WasiState } from '../../src/main/sandbox/wasi/host'

type Fn = (...args: (number | bigint)[]) => number

const ZIP = new TextEncoder().encode('PK fake zip')

function makeHost(
  state?: WasiState,
  options: { deterministic?: boolean; sleep?: (ms: number) => void } = {}
) {
  const tree = new StaticTree({ mountPoint: '/usr/local/lib', files: { 'python311.zip': ZIP } })
  const out: { stdout: string; stderr: string; rich: [number, string][]; sleeps: number } = {
    stdout: '',
    stderr: '',
    rich: [],
    sleeps: 0
  }
  const sink: OutputSink = {
    stream: (name, bytes) => (out[name] += new TextDecoder().decode(bytes)),
    rich: (kind, bytes) => out.rich.push([kind, new TextDecoder().decode(bytes)]),
    beforeSleep: () => out.sleeps++
  }
  const host = new WasiHost({
    tree,
    state: state ?? { fs: initialFsImage(tree), clock: initialClockState() },
    deterministic: options.deterministic ?? false,
    sink,
    fuelConsumed: () => 0n,
    sleep: options.sleep
  })
  const memory = new WebAssembly.Memory({ initial: 1 })
  host.bind(memory)
  const w = host.imports.wasi_snapshot_preview1 as Record<string, Fn>
  const view = () => new DataView(memory.buffer)
  let scratch = 1024
  const str = (s: string): [number, number] => {
    const bytes = new TextEncoder().encode(s)
    const ptr = scratch
    new Uint8Array(memory.buffer).set(bytes, ptr)
    scratch += bytes.length + 8
    return [ptr, bytes.length]
  }
  const open = (
    dirFd: number,
    path: string,
    oflags: number,
    write: boolean
  ): { errno: number; fd: number } => {
    const [p, l] = str(path)
    const rights = write ? BigInt(wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_FD_READ) : BigInt(wasi.RIGHTS_FD_READ)
    const errno = w.path_open!(dirFd, 0, p, l, oflags, rights, rights, 0, 16)
    return { errno, fd: view().getUint32(16, true) }
  }
  const write = (fd: number, text: string): number => {
    const [p, l] = str(text)
    view().setUint32(32, p, true)
    view().setUint32(36, l, true)
    return w.fd_write!(fd, 32, 1, 40)
  }
  const read = (fd: number, max = 100): string => {
    view().setUint32(32, 2048, true)
    view().setUint32(36, max, true)
    expect(w.fd_read!(fd, 32, 1, 40)).toBe(0)
    return new TextDecoder().decode(new Uint8Array(memory.buffer, 2048, view().getUint32(40, true)))
  }
  return { host, w, out, view, memory, open, write, read, str }
}

describe('WASI host', () => {
  it('sends stdout/stderr and fuelbook.emit records to the sink, stdin reads as empty', () => {
    const h = makeHost()
    expect(h.write(1, 'out')).toBe(0)
    expect(h.write(2, 'err')).toBe(0)
    const [p, l] = h.str('{"a":1}')
    ;(h.host.imports.fuelbook as Record<string, Fn>).emit!(1, p, l)
    expect(h.out).toMatchObject({ stdout: 'out', stderr: 'err', rich: [[1, '{"a":1}']] })
    expect(h.read(0)).toBe('')
  })

  it("has no environment and no sockets (ENOTSUP instead of the shim's thrown string)", () => {
    const h = makeHost()
    expect(h.w.environ_sizes_get!(0, 4)).toBe(0)
    expect(h.view().getUint32(0, true)).toBe(0)
    for (const name of ['sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown'])
      expect(h.w[name]!(3, 0, 0, 0, 0, 0)).toBe(wasi.ERRNO_NOTSUP)
  })

  it('keeps the stdlib read-only and lets /tmp be written', () => {
    const h = makeHost()
    // fd 3 = "/", fd 4 = "/usr/local/lib"
    expect(h.open(4, 'python311.zip', 0, false).errno).toBe(0)
    const zip = h.open(4, 'python311.zip', 0, false).fd
    expect(h.read(zip, 2)).toBe('PK')
    expect(h.open(4, 'python311.zip', 0, true).errno).toBe(wasi.ERRNO_ROFS)
    expect(h.open(4, 'evil.py', wasi.OFLAGS_CREAT, true).errno).toBe(wasi.ERRNO_ROFS)
    const [p, l] = h.str('python311.zip')
    expect(h.w.path_unlink_file!(4, p, l)).toBe(wasi.ERRNO_ROFS)
    const file = h.open(3, 'tmp/a.txt', wasi.OFLAGS_CREAT, true)
    expect(file.errno).toBe(0)
    expect(h.write(file.fd, 'hello')).toBe(0)
    // A path outside the preopens cannot be expressed ("../" above the root is refused).
    expect(h.open(3, '../etc/passwd', 0, false).errno).toBe(wasi.ERRNO_NOTCAPABLE)
    expect(h.open(3, 'etc/passwd', 0, false).errno).toBe(wasi.ERRNO_NOENT)
  })

  it('writes filestat timestamps at the offsets WASI defines (40/48/56)', () => {
    const h = makeHost(undefined, { deterministic: true })
    const file = h.open(3, 'tmp/t', wasi.OFLAGS_CREAT, true)
    h.write(file.fd, 'abc')
    const view = h.view()
    for (let i = 0; i < 64; i++) view.setUint8(512 + i, 0xee)
    expect(h.w.fd_filestat_get!(file.fd, 512)).toBe(0)
    expect(view.getBigUint64(512 + 32, true)).toBe(3n) // size
    const mtim = view.getBigUint64(512 + 48, true)
    expect(mtim).toBeGreaterThan(1_700_000_000_000_000_000n)
    expect(view.getBigUint64(512 + 56, true)).toBe(mtim)
  })

  it('poll_oneoff sleeps for the requested time without burning CPU, and writes nevents', () => {
    const h = makeHost()
    const view = h.view()
    // one relative clock subscription: 200 ms
    view.setBigUint64(0, 7n, true)
    view.setUint8(8, wasi.EVENTTYPE_CLOCK)
    view.setUint32(16, wasi.CLOCKID_MONOTONIC, true)
    view.setBigUint64(24, 200_000_000n, true)
    view.setUint16(40, 0, true)
    view.setUint32(200, 99, true)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    expect(h.w.poll_oneoff!(0, 100, 1, 200)).toBe(0)
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    // It really waited (a lower bound only: how much longer a loaded machine takes is not a property).
    expect(wall).toBeGreaterThanOrEqual(195)
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(60)
    expect(view.getUint32(200, true)).toBe(1)
    expect(view.getBigUint64(100, true)).toBe(7n)
    expect(h.out.sleeps).toBe(1)
  })

  it('poll_oneoff honours absolute deadlines on the virtual clock in deterministic mode', () => {
    const slept: number[] = []
    const h = makeHost(undefined, { deterministic: true, sleep: (ms) => slept.push(ms) })
    const view = h.view()
    expect(h.w.clock_time_get!(wasi.CLOCKID_MONOTONIC, 0n, 0)).toBe(0)
    const now = view.getBigUint64(0, true)
    view.setBigUint64(0, 1n, true)
    view.setUint8(8, wasi.EVENTTYPE_CLOCK)
    view.setUint32(16, wasi.CLOCKID_MONOTONIC, true)
    view.setBigUint64(24, now + 500_000_000n, true)
    view.setUint16(40, wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME, true)
    expect(h.w.poll_oneoff!(0, 100, 1, 200)).toBe(0)
    expect(slept).toHaveLength(1)
    expect(slept[0]).toBeCloseTo(500, 0)
    h.w.clock_time_get!(wasi.CLOCKID_MONOTONIC, 0n, 0)
    expect(view.getBigUint64(0, true)).toBeGreaterThanOrEqual(now + 500_000_000n)
  })

  it('gives the same random bytes and clock readings from the same state in deterministic mode', () => {
    const readings = (state?: WasiState) => {
      const h = makeHost(state, { deterministic: true })
      h.w.random_get!(0, 16)
      h.w.clock_time_get!(wasi.CLOCKID_REALTIME, 0n, 16)
      return { bytes: Array.from(new Uint8Array(h.memory.buffer, 0, 24)), state: h.host.capture() }
    }
    const first = readings()
    expect(readings().bytes).toEqual(first.bytes)
    // ...and different values from the state the first run left behind.
    expect(readings(first.state).bytes).not.toEqual(first.bytes)
  })

  it('monotonic time never goes backwards across a restore, even with a clock floor in the future', () => {
    const h = makeHost()
    const state = h.host.capture()
    state.clock.monotonicFloorNs = 10n ** 19n
    const restored = makeHost(state)
    restored.w.clock_time_get!(wasi.CLOCKID_MONOTONIC, 0n, 0)
    const a = restored.view().getBigUint64(0, true)
    restored.w.clock_time_get!(wasi.CLOCKID_MONOTONIC, 0n, 0)
    expect(a).toBeGreaterThan(10n ** 19n)
    expect(restored.view().getBigUint64(0, true)).toBeGreaterThan(a)
  })

  it('restores files, directories and the fd table (same numbers, same positions); the image is not changed by later writes', () => {
    const h = makeHost()
    for (let i = 0; i < 20; i++) h.w.fd_close!(h.open(4, 'python311.zip', 0, false).fd) // burn fd numbers like CPython's imports
    const [dp, dl] = h.str('tmp/sub')
    expect(h.w.path_create_directory!(3, dp, dl)).toBe(0)
    const file = h.open(3, 'tmp/sub/data.txt', wasi.OFLAGS_CREAT, true)
    h.write(file.fd, 'hello world')
    h.view().setBigInt64(48, 0n, true)
    expect(h.w.fd_seek!(file.fd, 6n, wasi.WHENCE_SET, 48)).toBe(0)
    const state = h.host.capture()
    h.write(file.fd, 'WORLD') // after the capture: must not leak into the image

    const r = makeHost(state)
    expect(r.read(file.fd)).toBe('world') // same fd number, same position, old contents
    const again = r.open(3, 'tmp/sub/data.txt', 0, false)
    expect(again.fd).toBe(file.fd + 1)
    expect(r.read(again.fd)).toBe('hello world')
    expect(h.read(h.open(3, 'tmp/sub/data.txt', 0, false).fd)).toBe('hello WORLD')
  })

  it('keeps how an fd was opened (read-only, write-only) across a restore', () => {
    const h = makeHost()
    const created = h.open(3, 'tmp/ro.txt', wasi.OFLAGS_CREAT, true)
    expect(h.write(created.fd, 'data')).toBe(0)
    const readOnly = h.open(3, 'tmp/ro.txt', 0, false)
    expect(h.write(readOnly.fd, 'x')).toBe(wasi.ERRNO_BADF)
    const r = makeHost(h.host.capture())
    expect(r.write(readOnly.fd, 'x')).toBe(wasi.ERRNO_BADF)
    expect(r.read(readOnly.fd)).toBe('data')
    expect(r.write(created.fd, '!')).toBe(0)
  })

  it('grows a file written in 8 KiB chunks to 10 MB', () => {
    const h = makeHost()
    const file = h.open(3, 'tmp/big', wasi.OFLAGS_CREAT, true)
    const chunk = new Uint8Array(8192).fill(65)
    new Uint8Array(h.memory.buffer).set(chunk, 8192)
    h.view().setUint32(32, 8192, true)
    h.view().setUint32(36, 8192, true)
    let failures = 0
    for (let i = 0; i < 1280; i++) failures += h.w.fd_write!(file.fd, 32, 1, 40)
    expect(failures).toBe(0)
    expect(h.w.fd_filestat_get!(file.fd, 512)).toBe(0)
    expect(h.view().getBigUint64(512 + 32, true)).toBe(10_485_760n)
  })
})
