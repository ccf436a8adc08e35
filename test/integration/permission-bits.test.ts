/**
 * Permission bits inside the sandbox (WASI preview 1 has none; the host keeps them by inode and
 * the runtime's os.chmod/os.stat/os.access/os.open/os.mkdir use them): they behave as on Linux for
 * an ordinary user who owns every file, and they survive into the next cell (the kernel state).
 */
import { describe, expect, it } from 'vitest'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'

const host = useTestHost(1)

describe('permission bits in the sandbox file system', () => {
  it('a read-only file refuses writes, chmod and creation modes show in stat and access', async () => {
    const kernel = host().createKernel()
    const first = await kernel.run(
      [
        'import os, stat, tempfile',
        "p = '/tmp/ro.txt'",
        "open(p, 'w').write('x')",
        'print(oct(stat.S_IMODE(os.stat(p).st_mode)))',
        'os.chmod(p, 0o444)',
        'print(oct(stat.S_IMODE(os.stat(p).st_mode)), os.access(p, os.W_OK), os.access(p, os.R_OK))',
        'try:',
        "    open(p, 'a')",
        'except PermissionError as e:',
        "    print('PermissionError', e.errno == __import__('errno').EACCES)",
        'fd, q = tempfile.mkstemp(); os.close(fd); d = tempfile.mkdtemp()',
        'print(oct(stat.S_IMODE(os.stat(q).st_mode)), oct(stat.S_IMODE(os.stat(d).st_mode)))',
        "os.mkdir('/tmp/locked'); os.chmod('/tmp/locked', 0o555)",
        'try:',
        "    open('/tmp/locked/new', 'w')",
        'except PermissionError:',
        "    print('no new entry in a read-only directory')",
        'os.utime(p, (0, 0)); os.utime(p, None); print(os.stat(p).st_mtime > 1e9)',
        "print(sorted(time.get_clock_info('process_time').__dict__) if (time := __import__('time')) else '')"
      ].join('\n'),
      { limits: LIMITS }
    )
    expect(first.status, textOf(first.outputs)).toBe('ok')
    expect(textOf(first.outputs).trim().split('\n')).toEqual([
      '0o644',
      '0o444 False True',
      'PermissionError True',
      '0o600 0o700',
      'no new entry in a read-only directory',
      'True',
      "['adjustable', 'implementation', 'monotonic', 'resolution']"
    ])
    // The bits are kernel state: the next cell still sees them.
    const second = await kernel.run(
      "os.chmod(p, 0o644); open(p, 'a').write('y'); print(oct(stat.S_IMODE(os.stat('/tmp/ro.txt').st_mode)))",
      { limits: LIMITS }
    )
    expect(textOf(second.outputs).trim()).toBe('0o644')
    const third = await kernel.run(
      "import os, stat; print(oct(stat.S_IMODE(os.stat('/tmp/locked').st_mode)))",
      { limits: LIMITS }
    )
    expect(textOf(third.outputs).trim()).toBe('0o555')
    await kernel.dispose()
  })

  it('the stdlib zip shows read-only bits and refuses chmod', async () => {
    const run = await host()
      .createKernel()
      .run(
        [
          'import os, stat',
          "z = '/usr/local/lib/python311.zip'",
          'print(oct(stat.S_IMODE(os.stat(z).st_mode)), os.access(z, os.W_OK))',
          'try:',
          '    os.chmod(z, 0o666)',
          'except OSError as e:',
          '    print(type(e).__name__, e.errno)'
        ].join('\n'),
        { limits: LIMITS, isolated: true }
      )
    expect(textOf(run.outputs).trim().split('\n')).toEqual(['0o444 False', 'OSError 69'])
  })
})
