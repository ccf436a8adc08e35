/**
 * `fuelbook exec | run | export | import`: results, exit codes and messages for every bad input. Most
 * tests run the command modules in-process (real kernel, real files); a few spawn the built CLI.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseHTML } from 'linkedom'
import { Ajv } from 'ajv'
import { NotebookStore } from '../../src/main/store'
import type { Output } from '../../src/shared/notebook'
import { APP_ROOT, builtBin, cli, makeNotebook, spawnCli, tempDir, useDataDir } from './cli-helpers'
import { fuelFigurePattern } from '../helpers/runtime-dir'

const FIXTURES = join(__dirname, '..', 'fixtures')
let dir: string
let restoreDataDir = (): void => undefined

beforeAll(() => {
  dir = tempDir()
  restoreDataDir = useDataDir(join(dir, 'data'))
})
afterAll(() => {
  restoreDataDir()
})

function loadRuns(path: string) {
  const opened = NotebookStore.open(path)
  if (!opened.ok) throw new Error(opened.error)
  try {
    return opened.value.load()
  } finally {
    opened.value.close()
  }
}

describe('fuelbook exec', () => {
  it("prints the output and the run's facts", async () => {
    const r = await cli(['exec', '-c', "print('hello world')"])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^hello world\n\nstatus: ok\nmem size pages: \d+ \(64 KiB each\)\ndata length: \d+ bytes\nfuel consumed: \d+\n$/
    )
    const pages = Number(/mem size pages: (\d+)/.exec(r.stdout)![1])
    const bytes = Number(/data length: (\d+)/.exec(r.stdout)![1])
    expect(bytes).toBe(pages * 65_536)
    expect(Number(/fuel consumed: (\d+)/.exec(r.stdout)![1])).toBeGreaterThan(0)
  })

  it('--json prints the runPython result object', async () => {
    const r = await cli(['exec', '--json', '-c', 'print(1)\n2 + 2'])
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(json).toMatchObject({
      status: 'ok',
      stdout: '1\n',
      stderr: '',
      error: null,
      fuelBudget: 400_000_000
    })
    expect(json.outputs[1]).toMatchObject({ type: 'execute_result', data: { 'text/plain': '4' } })
    for (const key of ['fuelConsumed', 'memoryPages', 'memoryBytes', 'peakMemoryBytes', 'wallMs'])
      expect(typeof json[key]).toBe('number')
  })

  it.each([
    ['error', ['-c', '1/0'], 3, /ZeroDivisionError/],
    ['out_of_fuel', ['--fuel', '2M', '-c', 'while True: pass'], 4, /status: out_of_fuel/],
    [
      'out_of_memory',
      ['--memory', '32', '-c', 'x = bytearray(200 * 1024 * 1024)'],
      5,
      // The size comes from the memory.grow that failed (the request beyond the memory in use).
      /status: out_of_memory \(MemoryError: tried to allocate 200 MiB \(limit 32 MiB\)\)/
    ],
    ['timeout', ['--timeout', '1', '--fuel', '100G', '-c', 'while True: pass'], 6, /status: timeout/],
    ['exit', ['-c', 'import sys; sys.exit(3)'], 8, /status: exit/]
  ])('exits with a distinct code for %s', async (_status, args, code, message) => {
    const r = await cli(['exec', ...args])
    expect(r.code).toBe(code)
    expect(r.stdout + r.stderr).toMatch(message)
  })

  it('runs a FILE', async () => {
    const file = join(dir, 'hello.py')
    writeFileSync(file, 'print(sum(range(10)))\n')
    const r = await cli(['exec', file])
    expect(r.code).toBe(0)
    expect(r.stdout.startsWith('45\n')).toBe(true)
  })

  it.each([
    [['exec'], 2, /nothing to run/],
    [['exec', '-c', 'x', 'file.py'], 2, /either -c CODE or a FILE/],
    [['exec', 'a.py', 'b.py'], 2, /one FILE/],
    [['exec', '--fuel', 'lots', '-c', 'x'], 2, /--fuel must be a positive number .* \(got 'lots'\)/],
    [['exec', '--fuel', '-5', '-c', 'x'], 2, /--fuel/],
    [['exec', '--fuel', '0', '-c', 'x'], 2, /--fuel must be a positive/],
    [['exec', '--memory', '1e9', '-c', 'x'], 2, /--memory must be a number of MiB/],
    [['exec', '--memory', '99999', '-c', 'x'], 2, /--memory/],
    [['exec', '--timeout', 'soon', '-c', 'x'], 2, /--timeout must be a number of seconds/],
    [['exec', '--frobnicate', '-c', 'x'], 2, /Unknown option '--frobnicate'/],
    [['exec', '/no/such/file.py'], 1, /cannot read \/no\/such\/file.py: no such file/]
  ])('%j → exit %i with a message', async (args, code, message) => {
    const r = await cli(args)
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(message)
    expect(r.stdout).toBe('')
  })
})

describe('fuelbook import', () => {
  it('creates a .fuelbook with cells, outputs and attachments', async () => {
    const target = join(dir, 'weather.fuelbook')
    const r = await cli(['import', join(FIXTURES, 'ipynb', 'weather-analysis.v4.5.ipynb'), '-o', target])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/Created .*weather.fuelbook: 6 cells, 3 with outputs/)
    const nb = loadRuns(target)
    expect(nb.title).toBe('weather-analysis.v4.5')
    expect(nb.cells.map((c) => c.id)).toEqual(['intro-md', 'imports', 'frame', 'plot', 'boom', 'not-run'])
    expect(nb.cells[0]!.metadata['attachments']).toBeTruthy()
    expect(nb.lastRuns['boom']!.status).toBe('error')
    expect(nb.lastRuns['plot']!.outputs.map((o) => o.type)).toEqual(['stream', 'stream', 'display_data'])
  })

  it('.ipynb → .fuelbook (through the store) → .ipynb keeps every source and output', async () => {
    const source = join(FIXTURES, 'ipynb', 'weather-analysis.v4.5.ipynb')
    const nbPath = join(dir, 'roundtrip.fuelbook')
    expect((await cli(['import', source, '-o', nbPath])).code).toBe(0)
    const out = await cli(['export', nbPath, '--to', 'ipynb', '-o', '-'])
    expect(out.code).toBe(0)
    const text = (v: unknown): unknown => (Array.isArray(v) ? v.join('') : v)
    const essence = (nb: { cells: Record<string, unknown>[] }) =>
      nb.cells.map((c) => ({
        id: c['id'],
        source: text(c['source']),
        outputs: ((c['outputs'] as Record<string, unknown>[]) ?? []).map((o) => ({
          type: o['output_type'],
          text: text(o['text']),
          ename: o['ename'],
          traceback: o['traceback'],
          data:
            o['data'] &&
            Object.fromEntries(Object.entries(o['data']).map(([m, v]) => [m, String(text(v)).trim()]))
        }))
      }))
    expect(essence(JSON.parse(out.stdout))).toEqual(essence(JSON.parse(readFileSync(source, 'utf8'))))
  })

  it('writes beside the input by default and never overwrites without --force', async () => {
    const input = join(dir, 'legacy.ipynb')
    writeFileSync(input, readFileSync(join(FIXTURES, 'ipynb', 'legacy.v4.0.ipynb')))
    expect((await cli(['import', input])).code).toBe(0)
    const target = join(dir, 'legacy.fuelbook')
    expect(existsSync(target)).toBe(true)
    const before = readFileSync(target)
    const again = await cli(['import', input])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already exists \(use --force to replace it\)/)
    expect(readFileSync(target).equals(before)).toBe(true)
    expect((await cli(['import', input, '--force'])).code).toBe(0)
  })

  it.each([
    ['invalid JSON', '{"cells": [', /not valid JSON/],
    ['nbformat 3', '{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}', /nbformat 3/],
    [
      'a schema error',
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
      /cells\[0\]/
    ]
  ])('rejects %s with a clear message and writes nothing', async (_name, content, message) => {
    const sub = tempDir()
    const input = join(sub, 'bad.ipynb')
    writeFileSync(input, content)
    const r = await cli(['import', input])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(message)
    expect(readdirSync(sub)).toEqual(['bad.ipynb'])
  })

  it.each([
    [['import'], 2, /which notebook/],
    [['import', 'a.ipynb', 'b.ipynb'], 2, /one .ipynb/],
    [['import', '--bogus', 'a.ipynb'], 2, /Unknown option '--bogus'/],
    [['import', '/no/such.ipynb'], 1, /no such file/],
    [['import', '/tmp'], 1, /is a folder/],
    [
      ['import', join(__dirname, 'cli.test.ts'), '-o', '/no/such/dir/x.fuelbook'],
      1,
      /folder \/no\/such\/dir does not exist/
    ]
  ])('%j → exit %i', async (args, code, message) => {
    const r = await cli(args)
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(message)
  })
})

describe('fuelbook run and export', () => {
  it('runs every cell, stores the results, stops at the first failure', async () => {
    const path = join(dir, 'stops.fuelbook')
    makeNotebook(path, 'Stops', ['# Title', 'x = 21', 'print(x * 2)', '1/0', 'print("after")'])
    const r = await cli(['run', path])
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/cell 1\/4 \[1\] ✓ ok · .* fuel · \d+ pages \(.*\) · /)
    expect(r.stdout).toMatch(/cell 3\/4 \[3\] ✕ error/)
    expect(r.stdout).toMatch(/3 of 4 cells run: 2 ok, 1 failed/)
    expect(r.stderr).toMatch(/ZeroDivisionError: division by zero/)
    expect(r.stderr).toMatch(/1 cell not run. Use --allow-errors/)
    const nb = loadRuns(path)
    expect(nb.lastRuns['cell-3']!.outputs).toEqual([{ type: 'stream', name: 'stdout', text: '42\n' }])
    expect(nb.lastRuns['cell-4']!.status).toBe('error')
    expect(nb.lastRuns['cell-5']).toBeUndefined()
  })

  it('--allow-errors runs every cell; per-run limits leave the saved settings alone; --export writes HTML', async () => {
    const path = join(dir, 'all.fuelbook')
    makeNotebook(path, 'All <cells>', ['x = 1', 'while True: pass', 'print("after", x)'])
    const html = join(dir, 'all.html')
    // Never written, not even for the length of the run: a kill then cannot leave them in the file.
    const settingsWrites = vi.spyOn(NotebookStore.prototype, 'setSettings')
    const r = await cli(['run', path, '--allow-errors', '--fuel', '5M', '--export', html])
    expect(settingsWrites).not.toHaveBeenCalled()
    settingsWrites.mockRestore()
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(/3 of 3 cells run: 2 ok, 1 failed/)
    const nb = loadRuns(path)
    expect(nb.lastRuns['cell-2']).toMatchObject({ status: 'out_of_fuel', fuelBudget: 5_000_000 })
    expect(nb.lastRuns['cell-3']!.outputs).toEqual([{ type: 'stream', name: 'stdout', text: 'after 1\n' }])
    expect(nb.settings.limits.fuel).toBe(400_000_000)
    const { document } = parseHTML(readFileSync(html, 'utf8'))
    expect(document.querySelector('h1')!.textContent).toBe('All <cells>')
    expect(document.querySelectorAll('.stats').length).toBe(3)
    expect(document.querySelectorAll('section.summary rect.bar').length).toBe(3)
  })

  it('a MemoryError says what the cell tried to allocate and the limit', async () => {
    const path = join(dir, 'memory.fuelbook')
    makeNotebook(path, 'Memory', ['x = bytearray(200 * 1024 * 1024)'])
    const r = await cli(['run', path, '--memory', '32'])
    expect(r.code).toBe(5)
    expect(r.stderr).toMatch(/MemoryError: tried to allocate 200 MiB \(limit 32 MiB\)/)
    expect(loadRuns(path).lastRuns['cell-1']).toMatchObject({
      status: 'out_of_memory',
      message: 'MemoryError: tried to allocate 200 MiB (limit 32 MiB)'
    })
  })

  it('--isolated: no cell sees another cell’s variables', async () => {
    const path = join(dir, 'isolated.fuelbook')
    makeNotebook(path, 'Isolated', ['x = 1', 'print(x)'])
    const r = await cli(['run', path, '--isolated', '--allow-errors'])
    expect(r.code).toBe(3)
    expect(loadRuns(path).lastRuns['cell-2']!.outputs.find((o) => o.type === 'error')).toMatchObject({
      ename: 'NameError'
    })
  })

  it('draws a progress bar on a TTY', async () => {
    const path = join(dir, 'tty.fuelbook')
    makeNotebook(path, 'TTY', ['1', '2'])
    const r = await cli(['run', path], { isTTY: true })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('░')
    expect(r.stderr).toContain('\r\u001b[2K')
    expect(r.stdout).toMatch(/^2 of 2 cells run: 2 ok, 0 failed · .* fuel · .*\n$/)
  })

  it('exports HTML and .ipynb with options, to a file or stdout', async () => {
    const path = join(dir, 'all.fuelbook')
    const html = await cli(['export', path, '--to', 'html', '--no-code', '--no-stats', '-o', '-'])
    expect(html.code).toBe(0)
    const { document } = parseHTML(html.stdout)
    expect(document.querySelectorAll('pre.source, .stats, section.summary').length).toBe(0)
    const ipynbPath = join(dir, 'all.ipynb')
    const ipynb = await cli(['export', path, '--to', 'ipynb'])
    expect(ipynb.code).toBe(0)
    expect(ipynb.stderr).toMatch(/Wrote .*all.ipynb/)
    // The default output may be the .ipynb the notebook came from: never replaced without --force.
    const again = await cli(['export', path, '--to', 'ipynb'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/all.ipynb already exists \(use --force to replace it\)/)
    expect((await cli(['export', path, '--to', 'ipynb', '--force'])).code).toBe(0)
    expect((await cli(['export', path, '--to', 'ipynb', '-o', ipynbPath])).code).toBe(0)
    const nb = JSON.parse(readFileSync(ipynbPath, 'utf8'))
    const schema = JSON.parse(readFileSync(join(FIXTURES, 'nbformat', 'nbformat.v4.5.schema.json'), 'utf8'))
    delete schema.$schema
    const validate = new Ajv({ strict: false, validateSchema: false }).compile(schema)
    expect(validate(nb), JSON.stringify(validate.errors)).toBe(true)
    expect(nb.cells[1].metadata.fuelbook.run.status).toBe('out_of_fuel')
  })

  it.each([
    [['run'], 2, /which notebook/],
    [['run', 'a.fuelbook', 'b.fuelbook'], 2, /one notebook/],
    [['run', 'x.fuelbook', '--fuel', 'many'], 2, /--fuel must be/],
    [['run', 'x.fuelbook', '--timeout', '-1'], 2, /Unknown option|--timeout/],
    [['run', 'x.fuelbook', '--nope'], 2, /Unknown option '--nope'/],
    [['run', '/no/such.fuelbook'], 1, /no such file/],
    [['export', 'x.fuelbook'], 2, /--to is required/],
    [['export', 'x.fuelbook', '--to', 'pdf'], 2, /--to must be html or ipynb \(got 'pdf'\)/],
    [['export', '--to', 'html'], 2, /which notebook/],
    [['export', 'a.fuelbook', 'b.fuelbook', '--to', 'html'], 2, /export takes one notebook/],
    [['import', 'a.ipynb', 'b.ipynb'], 2, /import takes one \.ipynb file/],
    [['serve', 'a.fuelbook', 'b.fuelbook'], 2, /serve takes at most one notebook/],
    [['serve', '--port', 'http'], 2, /--port must be 0–65535, got 'http'/],
    [['export', 'x.fuelbook', '--to', 'html', '--frob'], 2, /Unknown option '--frob'/],
    [['export', '/no/such.fuelbook', '--to', 'html'], 1, /no such file/],
    [['export', '/tmp', '--to', 'html', '-o', '-'], 1, /is a folder/]
  ])('%j → exit %i', async (args, code, message) => {
    const r = await cli(args)
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(message)
  })

  it('runs a Jupyter notebook as the Fuelbook notebook it makes beside it, and tells export and packages how to make one', async () => {
    const ipynb = join(dir, 'analysis.ipynb')
    const notebook = join(dir, 'analysis.fuelbook')
    const source = JSON.stringify({
      cells: [
        {
          cell_type: 'code',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: ['%time x = 6 * 7\n', 'x']
        }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    })
    writeFileSync(ipynb, source)
    for (const args of [
      ['export', ipynb, '--to', 'html', '-o', join(dir, 'analysis.html')],
      ['packages', ipynb]
    ]) {
      const r = await cli(args)
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(
        `${ipynb} is a Jupyter notebook; make a Fuelbook notebook of it first: fuelbook import ${ipynb} (writes ${notebook}), then give ${notebook}`
      )
    }
    expect(existsSync(notebook)).toBe(false)
    expect(existsSync(join(dir, 'analysis.html'))).toBe(false)

    const ran = await cli(['run', ipynb])
    expect(ran.code).toBe(0)
    expect(ran.stderr).toContain(`Created ${notebook} from ${ipynb} (1 cells); running it`)
    const { cells, lastRuns } = loadRuns(notebook)
    const outputs = lastRuns[cells[0]!.id]!.outputs
    expect(outputs.some((o) => o.type === 'execute_result' && o.data['text/plain'] === '42')).toBe(true)
    expect(readFileSync(ipynb, 'utf8')).toBe(source)

    const again = await cli(['run', ipynb])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`${notebook} already exists: run it (fuelbook run ${notebook})`)
  })

  it('refuses a file that is not a notebook, for run and export alike', async () => {
    const bogus = join(dir, 'bogus.fuelbook')
    writeFileSync(bogus, 'just text')
    for (const args of [
      ['run', bogus],
      ['export', bogus, '--to', 'html', '-o', join(dir, 'bogus.html')]
    ]) {
      const r = await cli(args)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/not a Fuelbook notebook/)
    }
    expect(existsSync(join(dir, 'bogus.html'))).toBe(false)
    expect(readFileSync(bogus, 'utf8')).toBe('just text')
  })
})

describe('the built command line', () => {
  it("fuelbook exec -c \"print('hello world')\" prints the run's four facts", () => {
    const r = spawnCli(['exec', '-c', "print('hello world')"], { FUELBOOK_DATA_DIR: join(dir, 'data') })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^hello world\n\nstatus: ok\nmem size pages: \d+ \(64 KiB each\)\ndata length: \d+ bytes\nfuel consumed: \d+\n$/
    )
  })

  it('has --help for every command and maps bad flags to exit 2 on stderr', () => {
    for (const name of ['exec', 'run', 'export', 'import', 'packages', 'serve']) {
      const help = spawnCli([name, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(new RegExp(`^fuelbook ${name} `))
      const bad = spawnCli([name, '--no-such-flag'])
      expect(bad.code).toBe(2)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toMatch(new RegExp(`fuelbook ${name}: Unknown option '--no-such-flag'`))
    }
    expect(spawnCli(['--help']).stdout).toMatch(/exec .*\n.*run .*\n.*export .*\n.*import /)
  })

  /**
   * The built CLI run as `fuelbook ARGS`, listing the modules it loaded, the worker threads it
   * started and the V8 flags it set.
   */
  function cliTraced(args: string[]): {
    status: number | null
    stdout: string
    stderr: string
    loaded: string[]
    threads: string[]
    flags: string[]
  } {
    const bin = builtBin()
    const script = [
      `const threads = require('node:worker_threads'); const Worker = threads.Worker; const started = []`,
      `threads.Worker = class extends Worker { constructor(file, options) { started.push(String(file)); super(file, options) } }`,
      `process.on('exit', () => process.stderr.write('THREADS ' + JSON.stringify(started) + '\\n'))`,
      `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'))`,
      `const v8 = require('node:v8'); const setFlags = v8.setFlagsFromString; const flags = []`,
      `v8.setFlagsFromString = (flag) => { flags.push(flag); setFlags(flag) }`,
      `process.on('exit', () => process.stderr.write('FLAGS ' + JSON.stringify(flags) + '\\n'))`,
      `process.argv = [process.argv[0], ${JSON.stringify(bin)}, ...${JSON.stringify(args)}]`,
      `require(${JSON.stringify(bin)})`
    ].join('\n')
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, FUELBOOK_DATA_DIR: join(dir, 'data') },
      timeout: 120_000
    })
    const traced = (name: string): string[] =>
      JSON.parse(new RegExp(`^${name} (.*)$`, 'm').exec(r.stderr)![1]!) as string[]
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      loaded: traced('LOADED'),
      threads: traced('THREADS').map((file) => file.replace(/^.*[\\/]/, '')),
      flags: traced('FLAGS')
    }
  }

  it('exec loads only what one run needs: no SQLite, no notebook service, no thread', () => {
    // Loading them cost every `fuelbook exec` ~100 ms of its start, and so does each thread
    // (src/main/kernel/README.md, "Cold start").
    // S0 from its disk cache, as a user's every exec but the first.
    expect(spawnCli(['exec', '-c', 'pass'], { FUELBOOK_DATA_DIR: join(dir, 'data') }).code).toBe(0)
    const r = cliTraced(['exec', '-c', '1+1'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/status: ok/)
    expect(r.loaded.some((path) => /[\\/]exec-[^/\\]*\.js$/.test(path))).toBe(true)
    const needless = r.loaded.filter((path) =>
      /better-sqlite3|notebook-(document|session|service|files)|browser-server|\bzod\b/.test(path)
    )
    expect(needless).toEqual([])
    // zod is bundled into a chunk of the service's (electron.vite.config.ts), whose name says nothing.
    const withZod = r.loaded.filter(
      (path) => path.endsWith('.js') && readFileSync(path, 'utf8').includes('/zod/')
    )
    expect(withZod).toEqual([])
    // The run is made on the main thread, and reading S0 from its cache starts no codec thread.
    expect(r.threads).toEqual([])
  })

  it('the main process loads zod, fflate and pep440 from its bundle, not from node_modules', () => {
    // Required from node_modules, zod loaded ~100 modules with every locale it has, at every start
    // of the app and of fuelbook serve; bundled, only what the service uses is loaded
    // (electron.vite.config.ts).
    builtBin()
    const out = join(APP_ROOT, 'out', 'main')
    // Every shared chunk (the entries start the app, a server or a worker).
    const chunks = readdirSync(out).filter((file) => /-[\w-]{8}\.js$/.test(file))
    expect(chunks.some((file) => file.startsWith('compose-'))).toBe(true)
    const script = [
      ...chunks.map((file) => `require(${JSON.stringify(join(out, file))})`),
      `process.stdout.write(JSON.stringify(Object.keys(require.cache)))`
    ].join('\n')
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 })
    expect(r.status, r.stderr).toBe(0)
    const loaded = JSON.parse(r.stdout) as string[]
    expect(loaded.filter((path) => /node_modules[\\/](zod|fflate|@renovatebot)[\\/]/.test(path))).toEqual([])
  })

  it("exec makes a run too deep for the main thread's stack again in a worker, as the app runs it", () => {
    // A repr this deep (~0.5 G fuel) recurses in C further than V8 lets the main thread's ~1 MB
    // stack go, and not as far as a worker's 4 MB (sandbox/in-thread-pool.ts).
    const r = cliTraced([
      'exec',
      '--fuel',
      '10G',
      '-c',
      'import sys\nsys.setrecursionlimit(10**6)\nl = []\nfor i in range(5500): l = [l]\nprint(len(repr(l)))'
    ])
    expect(r.stdout).toMatch(/^11002\n\nstatus: ok\n/)
    expect(r.status).toBe(0)
    expect(r.threads).toEqual(['worker.js'])
  })

  it("Ctrl+C stops exec's run: status interrupted, exit code 1", async () => {
    const child = spawn(process.execPath, [builtBin(), 'exec', '--fuel', '1000G', '-c', 'while True: pass'], {
      env: { ...process.env, FUELBOOK_DATA_DIR: join(dir, 'data') }
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    // Long enough to be in the run on this machine even under load (the start takes ~0.2-1.5 s);
    // a Ctrl+C before the run must stop it as well.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    child.kill('SIGINT')
    // Not stopped, the run would go on for minutes (1000 G of fuel), past the test's timeout.
    expect(await exited).toBe(1)
    expect(stdout).toMatch(/status: interrupted/)
  })

  it('run of trivial cells starts one sandbox worker and no codec thread, and tiers the runtime up late', () => {
    // Each thread is a Node instance of its own (~100 ms of CPU): the cells run one after another
    // on one worker (cli/run.ts), and a head of a few dozen pages is encoded in place
    // (src/main/kernel/codec-threads.ts).
    const path = join(dir, 'no-codec-threads.fuelbook')
    makeNotebook(path, 'Trivial', ['x = 1', 'print(x)', 'x + 1'])
    const r = cliTraced(['run', path])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/3 of 3 cells run: 3 ok/)
    expect(r.threads).toEqual(['worker.js'])
    // Late tier-up (sandbox/runtime.ts, useLateTierUp): the process exits after its cells.
    expect(r.flags).toContain('--wasm-tiering-budget=2000000000')
    // The head was stored all the same.
    expect(loadRuns(path).head.pageCount).toBeGreaterThan(0)
  })

  it('exec costs the same fuel whether this process made S0 or read it from the disk cache', () => {
    // Its own data folder: without its S0 file the process boots S0 (fb_init) and runs from it,
    // with it the next one restores S0 from disk; a cell must not tell the two apart.
    const data = join(dir, 'data-s0')
    const cache = join(data, 'cache')
    const run = (code: string): { fuel: number; status: string } => {
      const r = spawnCli(['exec', '-c', code, '--json'], { FUELBOOK_DATA_DIR: data })
      const result = JSON.parse(r.stdout) as { fuelConsumed: number; status: string }
      return { fuel: result.fuelConsumed, status: result.status }
    }
    const cells = [
      '1+1',
      "print('hi')",
      'import json, re\njson.dumps({"a": [1, 2]})',
      "raise ValueError('boom')"
    ]
    for (const code of cells) {
      for (const file of existsSync(cache) ? readdirSync(cache) : [])
        if (file.endsWith('.fbs0')) rmSync(join(cache, file))
      const booted = run(code)
      expect(readdirSync(cache).some((file) => file.endsWith('.fbs0'))).toBe(true)
      const restored = run(code)
      expect(booted.fuel).toBeGreaterThan(0)
      expect({ code, ...restored }).toEqual({ code, ...booted })
    }
  })

  it('reads code from standard input with -', () => {
    const r = spawnCli(['exec', '-', '--json'], { FUELBOOK_DATA_DIR: join(dir, 'data') }, 'print(6 * 7)')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).stdout).toBe('42\n')
  })
})

/** A notebook saved by Jupyter with IPython habits (magics, !cmd, IPython.display). */
const streamText = (outputs: Output[], name: 'stdout' | 'stderr'): string =>
  outputs.map((o) => (o.type === 'stream' && o.name === name ? o.text : '')).join('')

describe('fuelbook run on a Jupyter notebook with magics', () => {
  it('runs every cell without a SyntaxError', async () => {
    const path = join(dir, 'magics.fuelbook')
    expect(
      (await cli(['import', join(FIXTURES, 'ipynb', 'ipython-magics.v4.5.ipynb'), '-o', path])).code
    ).toBe(0)
    const r = await cli(['run', path])
    expect(r.stderr).not.toMatch(/SyntaxError/)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/9 of 9 cells run: 9 ok, 0 failed/)

    const nb = loadRuns(path)
    const outputsOf = (n: number): Output[] => nb.lastRuns[nb.cells[n]!.id]!.outputs
    expect(outputsOf(1)).toEqual([]) // %matplotlib inline, %load_ext autoreload, %autoreload 2
    expect(streamText(outputsOf(3), 'stdout')).toMatch(
      new RegExp(`^Wall time: .+\\nFuel: ${fuelFigurePattern()}\\n$`)
    )
    expect(outputsOf(3).at(-1)).toMatchObject({ type: 'execute_result', data: { 'text/plain': '49995000' } })
    expect(streamText(outputsOf(4), 'stderr')).toBe(
      'shell commands are not available in the sandbox: !ls was not run\n'.repeat(2)
    )
    expect(streamText(outputsOf(4), 'stdout')).toBe('files: 0\n')
    expect(
      outputsOf(5).map((o) => (o.type === 'display_data' ? Object.keys(o.data).sort() : o.type))
    ).toEqual([
      ['text/html', 'text/plain'],
      ['text/markdown', 'text/plain']
    ])
    expect(outputsOf(6).at(-1)).toMatchObject({ data: { 'text/plain': '{0: 0, 1: 1, 2: 4, 3: 9, 4: 16}' } })
    expect(streamText(outputsOf(7), 'stdout')).toMatch(
      /per loop \(mean ± std\. dev\. of 3 runs, 10 loops each\)/
    )
    expect(streamText(outputsOf(8), 'stdout')).toBe(
      'HTML\t Image\t Markdown\t display\t files\t json\t squares\t total\t \n'
    )
    expect(streamText(outputsOf(9), 'stdout')).toMatch(/^Signature:\njson\.dumps\(/)
  })
})
