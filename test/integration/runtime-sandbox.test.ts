/**
 * What the runtime tells a user about its sandbox and about itself, through runPython (a fresh,
 * isolated interpreter per call): one clear error for every way into network, processes and
 * threads; the fuel read `_fuelbook.fuel()`; stdlib sources for tracebacks and inspect; the
 * pure-Python twins and Debian's fixes in the stdlib.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeSharedKernelHost, runPython, type RunPythonResult } from '../../src/main/library'
import { RESOURCES_DIR, TEST_CACHE_DIR } from '../helpers/kernel-host'

beforeAll(() => {
  process.env.FUELBOOK_RUNTIME_DIR = RESOURCES_DIR
  process.env.FUELBOOK_CACHE_DIR = TEST_CACHE_DIR
})
afterAll(async () => {
  await closeSharedKernelHost()
})

const WHY = "cells run in Fuelbook's sandbox, without network access, processes or threads"

describe('network, processes and threads', () => {
  const entryPoints: [string, string, string][] = [
    ['socket.gethostname()', 'import socket\nsocket.gethostname()', 'needs network access'],
    ['socket.getaddrinfo()', "import socket\nsocket.getaddrinfo('example.com', 80)", 'needs network access'],
    ['socket.gethostbyname()', "import socket\nsocket.gethostbyname('example.com')", 'needs network access'],
    [
      'socket.create_connection()',
      "import socket\nsocket.create_connection(('example.com', 80))",
      'needs network access'
    ],
    ['socket.socket()', 'import socket\nsocket.socket()', 'needs network access'],
    [
      'urllib.request.urlopen() over http',
      "import urllib.request\nurllib.request.urlopen('http://example.com/')",
      'needs network access'
    ],
    [
      'urllib.request.urlopen() over https',
      "import urllib.request\nurllib.request.urlopen('https://example.com/')",
      'needs network access'
    ],
    [
      'http.client.HTTPConnection.request()',
      "import http.client\nhttp.client.HTTPConnection('example.com').request('GET', '/')",
      'needs network access'
    ],
    [
      'http.client.HTTPSConnection()',
      "import http.client\nhttp.client.HTTPSConnection('example.com')",
      'needs network access'
    ],
    ['subprocess.run()', "import subprocess\nsubprocess.run(['ls'])", 'starts a process'],
    [
      'subprocess.check_output()',
      "import subprocess\nsubprocess.check_output('ls', shell=True)",
      'starts a process'
    ],
    ['os.system()', "import os\nos.system('ls')", 'starts a process'],
    ['os.popen()', "import os\nos.popen('ls')", 'starts a process'],
    ['multiprocessing.Pool()', 'import multiprocessing\nmultiprocessing.Pool(2)', 'starts a process'],
    [
      'multiprocessing.Process.start()',
      'from multiprocessing import Process\nProcess(target=print).start()',
      'starts a process'
    ],
    [
      'threading.Thread.start()',
      'import threading\nthreading.Thread(target=print).start()',
      'starts a thread'
    ],
    [
      'ThreadPoolExecutor.submit()',
      'from concurrent.futures import ThreadPoolExecutor\nThreadPoolExecutor().submit(print)',
      'starts a thread'
    ]
  ]

  it.each(entryPoints)('%s raises fuelbook.SandboxError, saying why', async (_name, code, needs) => {
    const r = await runPython(code)
    expect(r.status).toBe('error')
    expect(r.error?.ename).toBe('SandboxError')
    expect(r.error?.evalue).toContain(needs)
    expect(r.error?.evalue).toContain(WHY)
    expect(r.error?.traceback.join('\n')).toContain('fuelbook.SandboxError')
  })

  it('is an OSError and a RuntimeError, so existing fallbacks still catch it', async () => {
    const r = await runPython(
      [
        'import socket, threading',
        'try:',
        '    socket.gethostname()',
        'except OSError as e:',
        '    print("OSError:", type(e).__name__)',
        'try:',
        '    threading.Thread(target=print).start()',
        'except RuntimeError as e:',
        '    print("RuntimeError:", type(e).__name__)'
      ].join('\n')
    )
    expect(r.stdout).toBe('OSError: SandboxError\nRuntimeError: SandboxError\n')
  })

  it('leaves what needs no network alone: data: URLs, socket constants, multiprocessing.cpu_count()', async () => {
    const r = await runPython(
      [
        'import socket, urllib.request, multiprocessing',
        "print(urllib.request.urlopen('data:text/plain,hello').read())",
        'print(socket.AF_INET > 0, multiprocessing.cpu_count())'
      ].join('\n')
    )
    expect(r.status).toBe('ok')
    expect(r.stdout).toBe("b'hello'\nTrue 1\n")
  })
})

describe('_fuelbook.fuel()', () => {
  // Reads around loops of 50, 100 and 150 iterations, once CPython's specializing interpreter
  // has settled on the loop's bytecode (the warm-up calls): each further 50 iterations then cost
  // the same fuel, so the spans are evenly spaced if every read is exact at its call.
  const loops = [
    'from _fuelbook import fuel',
    'def span(n):',
    '    before = fuel()',
    '    for i in range(n):',
    '        pass',
    '    return fuel() - before',
    'for _ in range(5):',
    '    span(150)',
    'print([span(50), span(100), span(150)])',
    'print(fuel())'
  ].join('\n')
  const spansOf = (
    r: RunPythonResult
  ): { fifty: number; hundred: number; hundredFifty: number; last: number } => {
    const [spans = '', last = ''] = r.stdout.trim().split('\n')
    const [fifty = NaN, hundred = NaN, hundredFifty = NaN] = JSON.parse(spans) as number[]
    return { fifty, hundred, hundredFifty, last: Number(last) }
  }

  it('counts what the code between two reads cost, exactly and the same on every run', async () => {
    const first = await runPython(loops, { deterministic: true })
    const second = await runPython(loops, { deterministic: true })
    expect(first.status).toBe('ok')
    const { fifty, hundred, hundredFifty, last } = spansOf(first)
    expect(hundred).toBeGreaterThan(fifty)
    expect(hundredFifty - hundred).toBe(hundred - fifty)
    // The last read is this run's fuel so far: less than the run's total, by the driver's epilogue.
    expect(last).toBeGreaterThan(hundredFifty)
    expect(last).toBeLessThan(first.fuelConsumed)
    expect(first.fuelConsumed - last).toBeLessThan(1_000_000)
    expect(second.stdout).toBe(first.stdout)
    expect(second.fuelConsumed).toBe(first.fuelConsumed)
  })
})

describe('stdlib sources', () => {
  it('inspect.getsource works on stdlib functions', async () => {
    const r = await runPython('import inspect, json\nprint(inspect.getsource(json.dumps).splitlines()[0])')
    expect(r.status).toBe('ok')
    expect(r.stdout).toBe('def dumps(obj, *, skipkeys=False, ensure_ascii=True, check_circular=True,\n')
  })

  it('tracebacks through the stdlib show the source lines', async () => {
    const r = await runPython("import json\njson.loads('{')")
    expect(r.error?.ename).toBe('JSONDecodeError')
    const traceback = r.error!.traceback.join('\n')
    expect(traceback).toContain('/usr/local/lib/python3.11/json/decoder.py')
    expect(traceback).toContain('obj, end = self.raw_decode(s, idx=_w(s, 0).end())')
  })
})

describe('stdlib contents', () => {
  it('has the pure-Python twins of decimal and io', async () => {
    const r = await runPython(
      'import _pydecimal, _pyio\nprint(_pydecimal.Decimal("1.10") + 2, _pyio.BytesIO(b"ab").read())'
    )
    expect(r.stdout).toBe("3.10 b'ab'\n")
  })

  it("carries Debian's security fixes: zipfile refuses overlapping entries (a zip bomb)", async () => {
    // The central directory claims that "a" runs into the next entry (CVE-2024-0450): upstream
    // 3.11.2 reads on and fails the CRC; Debian's fix refuses it as overlapping.
    const r = await runPython(
      [
        'import io, zipfile',
        'buf = io.BytesIO()',
        'with zipfile.ZipFile(buf, "w") as z:',
        '    z.writestr("a", b"x" * 100)',
        '    z.writestr("b", b"y" * 100)',
        'data = bytearray(buf.getvalue())',
        'cd = data.index(b"PK\\x01\\x02")',
        'data[cd + 20:cd + 28] = (150).to_bytes(4, "little") * 2',
        'with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:',
        '    z.read("a")'
      ].join('\n')
    )
    expect(r.error?.ename).toBe('BadZipFile')
    expect(r.error?.evalue).toMatch(/[Oo]verlapped entries/)
  })
})
