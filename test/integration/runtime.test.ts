/**
 * The Python runtime in resources/python, driven through its raw exports (fb_init, fb_run,
 * fb_call) with a test-only WASI host. Checks what a notebook user sees: printed text, Out
 * values, rich output, structured errors with the cell's line numbers, SystemExit, state kept
 * between cells, the stdlib that must import, and the artifacts against MANIFEST.json.
 */
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { EmitKind, PYTHON_DIR, RuntimeInstance, readManifest, runtimeModule } from '../helpers/runtime-host'

interface ErrorPayload {
  ename: string
  evalue: string
  traceback: string[]
  lineno: number | null
}
interface BundlePayload {
  data: Record<string, unknown>
  metadata: Record<string, unknown>
}

function only<T>(rich: { kind: number; payload: unknown }[], kind: EmitKind): T {
  const records = rich.filter((r) => r.kind === kind)
  expect(records).toHaveLength(1)
  return records[0]!.payload as T
}

describe('runtime artifacts', () => {
  it('match MANIFEST.json (sha256 and size of every file)', () => {
    const manifest = readManifest()
    const files = readdirSync(PYTHON_DIR).filter((name) => name !== 'MANIFEST.json')
    expect(files.sort()).toEqual(Object.keys(manifest.artifacts).sort())
    for (const name of files) {
      const bytes = readFileSync(join(PYTHON_DIR, name))
      expect({ name, size: statSync(join(PYTHON_DIR, name)).size }).toEqual({
        name,
        size: manifest.artifacts[name]!.size
      })
      expect({ name, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({
        name,
        sha256: manifest.artifacts[name]!.sha256
      })
    }
  })

  it('exports only the reactor contract and imports only WASI plus fuelbook.emit', () => {
    const module = runtimeModule()
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => `${e.kind}:${e.name}`)
        .sort()
    ).toEqual(
      [
        'memory:memory',
        'function:_initialize',
        'global:__stack_pointer',
        'function:fb_alloc',
        'function:fb_free',
        'function:fb_init',
        'function:fb_run',
        'function:fb_call',
        'function:fb_exit_code'
      ].sort()
    )
    const imports = WebAssembly.Module.imports(module)
    const fuelbookImports = ['emit', 'fuel_consumed', 'mode_bits', 'set_mode_bits']
    expect(readManifest().imports?.fuelbook).toEqual(fuelbookImports)
    expect(imports.filter((i) => i.module !== 'wasi_snapshot_preview1')).toEqual(
      fuelbookImports.map((name) => ({ module: 'fuelbook', name, kind: 'function' }))
    )
  })

  it('does not bake a memory maximum into the module', () => {
    // The limits of a defined memory: flag byte 0x00 (no maximum) in the memory section.
    const bytes = readFileSync(join(PYTHON_DIR, readManifest().wasm))
    let offset = 8
    const leb = (): number => {
      let result = 0
      let shift = 0
      for (;;) {
        const byte = bytes[offset++]!
        result |= (byte & 0x7f) << shift
        shift += 7
        if ((byte & 0x80) === 0) return result >>> 0
      }
    }
    let flags: number | undefined
    while (offset < bytes.length) {
      const id = bytes[offset++]!
      const size = leb()
      if (id === 5) {
        leb() // count
        flags = bytes[offset]
        break
      }
      offset += size
    }
    expect(flags).toBe(0)
  })
})

describe('cells', () => {
  let py: RuntimeInstance
  beforeAll(() => {
    py = RuntimeInstance.boot()
  })

  it('prints to stdout, flushed by the end of the run', () => {
    const r = py.run('print("hello", 42)\nimport sys\nprint("oops", file=sys.stderr)')
    expect(r).toMatchObject({ rc: 0, stdout: 'hello 42\n', stderr: 'oops\n', rich: [] })
    // Block-buffered stdout: many prints reach the host as few writes.
    const many = py.run('for i in range(1000):\n    print(i)')
    expect(many.stdout.split('\n')).toHaveLength(1001)
    expect(many.stdoutWrites.length).toBeLessThan(10)
  })

  it("shows the last expression's value as execute_result and sets _", () => {
    const r = py.run('x = 20\nx + 22')
    expect(r.rc).toBe(0)
    expect(only<BundlePayload>(r.rich, EmitKind.ExecuteResult)).toEqual({
      data: { 'text/plain': '42' },
      metadata: {}
    })
    expect(py.run('print(_)').stdout).toBe('42\n')
  })

  it('sends NaN and infinities as null and non-string keys as strings in a record, as JSON.stringify would', () => {
    // The driver's records go through _json's C encoder, which refuses both; they fall back to
    // the driver's own JSON writer.
    const r = py.run(
      'class J:\n    def _repr_json_(self):\n        return {"v": float("nan"), "w": [float("-inf")], 1: (2, 3), None: 0.5}\nJ()'
    )
    expect(only<BundlePayload>(r.rich, EmitKind.ExecuteResult).data['application/json']).toEqual({
      v: null,
      w: [null],
      '1': [2, 3],
      null: 0.5
    })
  })

  it('shows nothing for a None value or a statement', () => {
    expect(py.run('None').rich).toEqual([])
    expect(py.run('y = 1').rich).toEqual([])
    expect(py.run('print("a")').rich).toEqual([])
  })

  it('keeps state between runs (functions, imports, variables)', () => {
    expect(py.run('import math\ndef area(r):\n    return math.pi * r * r\ncounter = 1').rc).toBe(0)
    expect(py.run('counter += 1\nprint(counter, round(area(2), 3))').stdout).toBe('2 12.566\n')
  })

  it('reports an exception as a structured error with the cell line number', () => {
    const r = py.run('a = 1\nb = 0\n\nprint(a / b)')
    expect(r.rc).toBe(1)
    const error = only<ErrorPayload>(r.rich, EmitKind.Error)
    expect(error).toMatchObject({ ename: 'ZeroDivisionError', evalue: 'division by zero', lineno: 4 })
    expect(error.traceback[0]).toBe('Traceback (most recent call last):')
    expect(error.traceback.join('\n')).toMatch(/line 4, in <module>\n\s+print\(a \/ b\)/)
    expect(error.traceback.join('\n')).not.toContain('fuelbook_driver')
    expect(error.traceback.at(-1)).toBe('ZeroDivisionError: division by zero')
  })

  it('points at the failing line inside a function defined in an earlier cell', () => {
    py.run('def explode(n):\n    if n > 1:\n        raise ValueError(f"bad {n}")\n    return n')
    const r = py.run('explode(1)\nexplode(2)')
    const error = only<ErrorPayload>(r.rich, EmitKind.Error)
    expect(error).toMatchObject({ ename: 'ValueError', evalue: 'bad 2', lineno: 2 })
    expect(error.traceback.join('\n')).toContain('raise ValueError(f"bad {n}")')
  })

  it("gives the user's own tracebacks the lines of earlier cells, also after linecache.clearcache()", () => {
    // The driver hands linecache only the new cell's source per run (a run's fuel must not grow
    // with the cells before it), and all of them again when linecache lost them.
    const formatted = 'try:\n    fizzle()\nexcept KeyError:\n    print(traceback.format_exc())'
    expect(py.run('import linecache, traceback').rc).toBe(0)
    expect(py.run('def fizzle():\n    raise KeyError("from an earlier cell")').rc).toBe(0)
    expect(py.run(formatted).stdout).toContain('raise KeyError("from an earlier cell")')
    expect(py.run('linecache.clearcache()').rc).toBe(0)
    expect(py.run(formatted).stdout).toContain('raise KeyError("from an earlier cell")')
  })

  it('shows stdlib frames with runtime paths, not build paths', () => {
    const error = only<ErrorPayload>(py.run('import json\njson.loads("{")').rich, EmitKind.Error)
    expect(error.ename).toBe('JSONDecodeError')
    expect(error.traceback.join('\n')).toContain('/usr/local/lib/python3.11/json/decoder.py')
    expect(error.traceback.join('\n')).not.toContain('build-python')
  })

  it('says that a compiled package such as numpy is not in the runtime, instead of a bare "No module"', () => {
    const error = only<ErrorPayload>(py.run('import numpy as np').rich, EmitKind.Error)
    expect(error).toMatchObject({
      ename: 'ModuleNotFoundError',
      evalue: "No module named 'numpy'",
      lineno: 1
    })
    expect(error.traceback.at(-1)).toMatch(
      /^numpy is not part of Fuelbook's runtime: it needs compiled extension modules/
    )
    const plain = only<ErrorPayload>(py.run('import no_such_module_here').rich, EmitKind.Error)
    expect(plain.traceback.at(-1)).toBe("ModuleNotFoundError: No module named 'no_such_module_here'")
  })

  it('reports a SyntaxError with its line', () => {
    const r = py.run('x = 1\nif x\n    pass')
    expect(r.rc).toBe(1)
    const error = only<ErrorPayload>(r.rich, EmitKind.Error)
    expect(error).toMatchObject({ ename: 'SyntaxError', lineno: 2 })
    expect(error.traceback.join('\n')).toContain("expected ':'")
  })

  it('turns SystemExit into status 2 with the exit code, and stays usable', () => {
    expect(py.run('import sys\nsys.exit(3)').rc).toBe(2)
    expect(py.exitCode()).toBe(3)
    expect(py.run('raise SystemExit').rc).toBe(2)
    expect(py.exitCode()).toBe(0)
    const r = py.run('import sys\nprint("before")\nsys.exit("bye")')
    expect(r).toMatchObject({ rc: 2, stdout: 'before\n', stderr: 'bye\n', rich: [] })
    expect(py.exitCode()).toBe(1)
    expect(py.run('print("still alive", counter)').stdout).toBe('still alive 2\n')
  })

  it('displays an object with _repr_html_ as text/html plus text/plain', () => {
    const r = py.run(
      'class Card:\n    def _repr_html_(self):\n        return "<b>card</b>"\n    def __repr__(self):\n        return "Card()"\nCard()'
    )
    expect(only<BundlePayload>(r.rich, EmitKind.ExecuteResult).data).toEqual({
      'text/html': '<b>card</b>',
      'text/plain': 'Card()'
    })
  })

  it('display() sends display_data records in order, between the printed text', () => {
    const r = py.run(
      [
        'class Png:',
        '    def _repr_png_(self):',
        '        return b"\\x89PNG"',
        'class Data:',
        '    def _repr_json_(self):',
        '        return {"a": [1, 2]}',
        '    def _repr_mimebundle_(self, include=None, exclude=None):',
        '        return {"text/markdown": "**md**"}',
        'print("first")',
        'display(Png(), Data(), "plain")',
        'display({"text/html": "<i>raw</i>"}, raw=True)'
      ].join('\n')
    )
    expect(r.rc).toBe(0)
    expect(r.stdout).toBe('first\n')
    expect(r.rich.map((x) => x.kind)).toEqual([1, 1, 1, 1])
    const [png, data, plain, raw] = r.rich.map((x) => (x.payload as BundlePayload).data)
    expect(png!['image/png']).toBe(Buffer.from('\x89PNG', 'latin1').toString('base64'))
    expect(data).toMatchObject({ 'text/markdown': '**md**', 'application/json': { a: [1, 2] } })
    expect(plain).toEqual({ 'text/plain': "'plain'" })
    expect(raw).toEqual({ 'text/html': '<i>raw</i>' })
  })

  it('clear_output() sends a clear record', () => {
    expect(py.run('clear_output(wait=True)').rich).toEqual([
      { kind: EmitKind.ClearOutput, payload: { wait: true } }
    ])
  })

  it('input() raises an error saying cells take no keyboard input', () => {
    const error = only<ErrorPayload>(py.run('name = input("name? ")').rich, EmitKind.Error)
    expect(error.ename).toBe('StdinNotImplementedError')
    expect(error.evalue).toContain('cells take no keyboard input')
    // The traceback ends at the cell's own call: the driver's raising frame is hidden.
    expect(error.traceback.slice(-3, -1)).toEqual([
      '    name = input("name? ")',
      '           ^^^^^^^^^^^^^^^'
    ])
  })

  it('flushes stdout before time.sleep, which sleeps about as long as asked', () => {
    const r = py.run(
      'import time\nprint("tick")\nt0 = time.monotonic()\ntime.sleep(0.05)\nprint("tock", 0.05 <= time.monotonic() - t0 < 0.5)'
    )
    expect(r.stdoutWrites).toEqual(['tick\n', 'tock True\n'])
  })

  it('runs asyncio: asyncio.run() and top-level await in a cell', () => {
    expect(
      py.run(
        'import asyncio\nasync def twice(x):\n    await asyncio.sleep(0.01)\n    return 2 * x\nprint(asyncio.run(twice(4)))'
      ).stdout
    ).toBe('8\n')
    const r = py.run('results = await asyncio.gather(twice(1), twice(2))\nawait twice(results[1])')
    expect(r.rc).toBe(0)
    expect(only<BundlePayload>(r.rich, EmitKind.ExecuteResult).data).toEqual({ 'text/plain': '8' })
    const error = only<ErrorPayload>(
      py.run('x = 1\nawait asyncio.sleep(0)\nraise KeyError("k")').rich,
      EmitKind.Error
    )
    expect(error).toMatchObject({ ename: 'KeyError', lineno: 3 })
    expect(error.traceback[1]).toMatch(/^ {2}File "<cell-\d+>", line 3, in <module>$/)
  })

  it('has exit, quit and help without site', () => {
    expect(py.run('print(callable(exit), callable(quit), callable(help), repr(exit))').stdout).toBe(
      'True True True Use exit() or Ctrl-D (i.e. EOF) to exit\n'
    )
    expect(py.run('exit(4)').rc).toBe(2)
    expect(py.exitCode()).toBe(4)
  })

  it('uses a fixed hash seed', () => {
    expect(py.run('print(hash("fuelbook"))').stdout).toBe(`${py.run('print(hash("fuelbook"))').stdout}`)
    expect(py.run('import sys\nprint(sys.flags.hash_randomization)').stdout).toBe('0\n')
  })

  it('handles deep recursion as RecursionError, and survives', () => {
    const error = only<ErrorPayload>(
      py.run('def down(n):\n    return down(n + 1)\ndown(0)').rich,
      EmitKind.Error
    )
    expect(error.ename).toBe('RecursionError')
    const nested = only<ErrorPayload>(
      py.run('v = []\nfor _ in range(100000):\n    v = [v]\nrepr(v)').rich,
      EmitKind.Error
    )
    expect(nested.ename).toBe('RecursionError')
    expect(py.run('print("ok")').stdout).toBe('ok\n')
  })
})

describe('fb_call commands', () => {
  let py: RuntimeInstance
  beforeAll(() => {
    py = RuntimeInstance.boot()
    py.run(
      'import os\nnumbers = [1, 2, 3]\ntitle = "x" * 500\n_hidden = 1\ndef f(a):\n    return a\nclass K: pass'
    )
  })

  it('lists user variables with type, size and a short repr', () => {
    const { variables } = py.call<{
      variables: { name: string; type: string; size: number | null; repr: string }[]
    }>({
      op: 'variables'
    })
    const byName = Object.fromEntries(variables.map((v) => [v.name, v]))
    expect(Object.keys(byName).sort()).toEqual(['K', 'f', 'numbers', 'os', 'title'])
    expect(byName.numbers).toEqual({ name: 'numbers', type: 'list', size: 3, repr: '[1, 2, 3]' })
    expect(byName.os).toMatchObject({ type: 'module', size: null })
    expect(byName.f).toMatchObject({ type: 'function', size: null })
    expect(byName.K).toMatchObject({ type: 'type', size: null })
    expect(byName.title!.size).toBe(500)
    expect(byName.title!.repr.length).toBeLessThanOrEqual(120)
  })

  it('completes names and attributes, with from/to in UTF-16 code units', () => {
    expect(py.call({ op: 'complete', code: 'numb', cursor: 4 })).toEqual({
      matches: ['numbers'],
      from: 0,
      to: 4
    })
    const attr = py.call<{ matches: string[]; from: number; to: number }>({
      op: 'complete',
      code: 'x = "é😀"; os.pa',
      cursor: 16
    })
    expect(attr.matches).toContain('os.path')
    expect(attr.matches).toContain('os.pardir')
    expect([attr.from, attr.to]).toEqual([11, 16])
    expect(py.call({ op: 'complete', code: 'pri', cursor: 3 })).toMatchObject({ matches: ['print'] })
  })

  it('reseeds random deterministically', () => {
    py.call({ op: 'seed_random', seed: 7 })
    const a = py.run('import random\nprint(random.random())').stdout
    py.call({ op: 'seed_random', seed: 7 })
    expect(py.run('print(random.random())').stdout).toBe(a)
  })

  it('warms common modules on request (for a cached S0)', () => {
    const reply = py.call<{ imported: string[]; failed: string[] }>({ op: 'warm' })
    expect(reply.failed).toEqual([])
    expect(reply.imported).toContain('decimal')
    expect(py.call({ op: 'warm', modules: ['json', 'no_such_module'] })).toEqual({
      imported: ['json'],
      failed: ["no_such_module: ModuleNotFoundError: No module named 'no_such_module'"]
    })
  })

  it('answers an unknown op with an error reply', () => {
    expect(py.call({ op: 'nope' })).toEqual({ error: 'unknown op: nope' })
  })
})

describe('standard library', () => {
  let py: RuntimeInstance
  beforeAll(() => {
    py = RuntimeInstance.boot()
  })

  const everyday = [
    'json',
    're',
    'math',
    'cmath',
    'decimal',
    'fractions',
    'statistics',
    'random',
    'datetime',
    'zoneinfo',
    'calendar',
    'collections',
    'collections.abc',
    'itertools',
    'functools',
    'dataclasses',
    'typing',
    'textwrap',
    'string',
    'csv',
    'io',
    'base64',
    'binascii',
    'hashlib',
    'hmac',
    'secrets',
    'uuid',
    'zlib',
    'gzip',
    'bz2',
    'lzma',
    'zipfile',
    'tarfile',
    'struct',
    'heapq',
    'bisect',
    'pathlib',
    'os',
    'os.path',
    'shutil',
    'tempfile',
    'glob',
    'fnmatch',
    'enum',
    'unicodedata',
    'difflib',
    'pprint',
    'reprlib',
    'copy',
    'operator',
    'html',
    'html.parser',
    'xml.etree.ElementTree',
    'xml.dom.minidom',
    'argparse',
    'time',
    'array',
    'sqlite3',
    'tomllib',
    'contextlib',
    'abc',
    'numbers',
    'weakref',
    'inspect',
    'ast',
    'dis',
    'traceback',
    'warnings',
    'logging',
    'unittest',
    'doctest',
    'timeit',
    'locale',
    'gettext',
    'codecs',
    'pickle',
    'shelve',
    'configparser',
    'urllib.parse',
    'email',
    'http',
    'graphlib',
    'queue',
    'sched',
    'asyncio',
    'ipaddress',
    'mimetypes',
    'quopri',
    'colorsys',
    'wave',
    'platform',
    'sysconfig',
    'rlcompleter'
  ]

  it(`imports ${everyday.length} everyday modules`, () => {
    const r = py.run(
      `import importlib\nfailed = []\nfor name in ${JSON.stringify(everyday)}:\n    try:\n        importlib.import_module(name)\n    except Exception as e:\n        failed.append(f"{name}: {type(e).__name__}: {e}")\nprint(failed)`
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('[]\n')
  })

  it('runs a real sqlite3 query (memory and a /tmp file, transactions)', () => {
    const r = py.run(
      [
        'import sqlite3',
        'db = sqlite3.connect(":memory:")',
        'db.execute("create table t(k text primary key, v real)")',
        'db.executemany("insert into t values (?, ?)", [("a", 1.5), ("b", 2.5), ("c", 4)])',
        'print(db.execute("select count(*), sum(v), json_object(\'k\', max(k)) from t").fetchone())',
        'f = sqlite3.connect("/tmp/x.db")',
        'with f:',
        '    f.execute("create table u(n)")',
        '    f.executemany("insert into u values (?)", [(i,) for i in range(100)])',
        'f.close()',
        'print(sqlite3.connect("/tmp/x.db").execute("select sum(n) from u").fetchone()[0], sqlite3.sqlite_version)'
      ].join('\n')
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('(3, 8.0, \'{"k":"c"}\')\n4950 3.40.1\n')
  })

  it('round-trips zlib, gzip, bz2 and lzma', () => {
    const r = py.run(
      [
        'import zlib, gzip, bz2, lzma',
        'data = ("fuelbook " * 5000).encode()',
        'for m in (zlib, gzip, bz2, lzma):',
        '    packed = m.compress(data)',
        '    assert m.decompress(packed) == data, m',
        '    print(m.__name__, len(packed) < len(data) // 20)'
      ].join('\n')
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('zlib True\ngzip True\nbz2 True\nlzma True\n')
  })

  it('knows time zones (zoneinfo with the bundled tzdata)', () => {
    const r = py.run(
      [
        'from zoneinfo import ZoneInfo, available_timezones',
        'from datetime import datetime',
        'berlin = ZoneInfo("Europe/Berlin")',
        'print(datetime(2024, 7, 1, 12, tzinfo=berlin).utcoffset(), datetime(2024, 1, 1, 12, tzinfo=berlin).tzname())',
        'print(datetime(2024, 3, 10, 12, tzinfo=ZoneInfo("America/New_York")).tzname())',
        'print(len(available_timezones()) > 400, "Asia/Tokyo" in available_timezones(), ZoneInfo("UTC").utcoffset(None))',
        'try:',
        '    ZoneInfo("Mars/Olympus_Mons")',
        'except Exception as e:',
        '    print(type(e).__name__)'
      ].join('\n')
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('2:00:00 CET\nEDT\nTrue True 0:00:00\nZoneInfoNotFoundError\n')
  })

  it('hashes with hashlib without OpenSSL', () => {
    expect(
      py.run(
        'import hashlib\nprint(hashlib.sha256(b"abc").hexdigest()[:16], hashlib.md5(b"").hexdigest()[:8])'
      ).stdout
    ).toBe('ba7816bf8f01cfea d41d8cd9\n')
  })
})
