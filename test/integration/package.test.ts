/**
 * The npm package as a user gets it: `npm pack` of the built app, installed into an empty folder,
 * then the README's library examples run there with plain Node (CommonJS and ES module) and must
 * print what the README says and exit by themselves; a TypeScript consumer type-checks against
 * the shipped declarations. Needs the build (`npm run build`; `npm test` makes it).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '..', '..')
/** Only a guard against a hang: a script that does not exit is killed and the test fails. */
const HANG_GUARD_MS = 100_000

interface LockEntry {
  dev?: boolean
  devOptional?: boolean
}

let work: string
let consumer: string

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: HANG_GUARD_MS, env: process.env })
}

function succeeded(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0 || result.signal !== null)
    throw new Error(
      `${what}: status ${result.status}, signal ${result.signal}\n${result.stdout}\n${result.stderr}`
    )
  return result.stdout
}

/**
 * The README's example named `// name` on its first line, and the ```text block right after it
 * (what it prints).
 */
function readmeExample(name: string): { code: string; prints: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const match = new RegExp(
    '```js\\n// ' + name.replace('.', '\\.') + '\\n([^]*?)```\\s*```text\\n([^]*?)```'
  ).exec(readme)
  if (!match) throw new Error(`README.md has no example '// ${name}' followed by its output`)
  return { code: match[1]!, prints: match[2]! }
}

/**
 * Installs the tarball offline: a lockfile pins the package's runtime dependencies exactly as the
 * repository's lockfile does, so npm takes them from its cache (`npm ci` put them there).
 */
function installTarball(tarball: string, into: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
  const spec = `file:${tarball}`
  const packages: Record<string, unknown> = {
    '': { dependencies: { fuelbook: spec } },
    'node_modules/fuelbook': {
      version: pkg.version,
      resolved: spec,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines
    }
  }
  for (const [path, entry] of Object.entries(lock.packages))
    if (path.startsWith('node_modules/') && !entry.dev && !entry.devOptional) packages[path] = entry
  writeFileSync(
    join(into, 'package.json'),
    JSON.stringify({ private: true, dependencies: { fuelbook: spec } })
  )
  writeFileSync(
    join(into, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages })
  )
  succeeded(
    run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], into),
    'npm ci of the packed tarball'
  )
}

beforeAll(() => {
  for (const built of ['out/main/library.js', 'out/types/main/library.d.ts'])
    if (!existsSync(join(ROOT, built)))
      throw new Error(`${built} is missing: run 'npm run build' first (npm test does).`)
  work = mkdtempSync(join(tmpdir(), 'fuelbook-package-'))
  // The build is already there: --ignore-scripts skips prepack's rebuild.
  const packed = succeeded(
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT),
    'npm pack'
  )
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }]
  consumer = join(work, 'consumer')
  mkdirSync(consumer)
  installTarball(join(work, filename), consumer)
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the packed npm package', () => {
  for (const name of ['hello.cjs', 'kernel.mjs']) {
    it(`runs the README's ${name} from an empty folder and exits by itself with code 0`, () => {
      const example = readmeExample(name)
      writeFileSync(join(consumer, name), example.code)
      // The consumer's own S0 cache, so the run also covers making S0 from the packaged runtime.
      const result = spawnSync(process.execPath, [name], {
        cwd: consumer,
        encoding: 'utf8',
        timeout: HANG_GUARD_MS,
        env: { ...process.env, FUELBOOK_CACHE_DIR: join(work, 'cache') }
      })
      expect(result.stderr).toBe('')
      expect(result.signal, 'killed by the hang guard: the script did not exit by itself').toBeNull()
      expect(result.status).toBe(0)
      expect(result.stdout).toBe(example.prints)
    }, 240_000)
  }

  it('exits by itself after a run that was stopped (its worker replaced)', () => {
    writeFileSync(
      join(consumer, 'stopped.cjs'),
      `const { runPython } = require('fuelbook')
      runPython('import time\\ntime.sleep(60)', { timeoutMs: 300 }).then((r) => console.log(r.status))\n`
    )
    const result = run(process.execPath, ['stopped.cjs'], consumer)
    expect(result.stderr).toBe('')
    expect(result.signal, 'killed by the hang guard: the script did not exit by itself').toBeNull()
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('timeout\n')
  }, 240_000)

  it('ships declarations TypeScript finds for require and import alike', () => {
    const consumerTypes = `
      import { closeSharedKernelHost, createKernelHost, DEFAULT_LIMITS, runPython } from 'fuelbook'
      import type { Kernel, KernelRunResult, RunPythonResult, RunStatus } from 'fuelbook'

      export async function check(): Promise<RunStatus> {
        const result: RunPythonResult = await runPython('1+1', { fuel: 1_000_000, deterministic: true })
        const host = await createKernelHost({ poolSize: 2 })
        const kernel: Kernel = host.createKernel()
        const run: KernelRunResult = await kernel.run('x = 1', { limits: DEFAULT_LIMITS })
        // @ts-expect-error: fuel is a number (an 'any' declaration would make this line an error)
        await runPython('1', { fuel: 'lots' })
        // @ts-expect-error: a kernel run needs its limits
        await kernel.run('1')
        const pages: number = result.memoryPages + run.memoryPages
        await closeSharedKernelHost()
        return pages > 0 ? result.status : run.status
      }
    `
    writeFileSync(join(consumer, 'consumer.cts'), consumerTypes)
    writeFileSync(join(consumer, 'consumer.mts'), consumerTypes)
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: ['node']
        },
        files: ['consumer.cts', 'consumer.mts']
      })
    )
    const tsc = run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      consumer
    )
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.status).toBe(0)
  }, 240_000)
})
