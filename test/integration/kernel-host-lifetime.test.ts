/**
 * The kernel host's workers keep the process alive exactly while someone may be waiting on them:
 * a script that awaits the warm-up and then a run gets both (it does not exit halfway with code 0),
 * and a script that never closes the host still exits by itself once its work is done, as does one
 * whose host could not start.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '..', '..')
/** Only a guard against a hang: a script that does not exit is killed and the test fails. */
const HANG_GUARD_MS = 120_000

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuelbook-host-lifetime-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runScript(body: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.ts`)
  writeFileSync(
    file,
    `import { createKernelHost } from ${JSON.stringify(join(ROOT, 'src', 'main', 'kernel'))}\n` +
      `const resourcesDir = ${JSON.stringify(join(ROOT, 'resources', 'python'))}\n` +
      `const limits = { fuel: 400_000_000, memoryBytes: 2 ** 29, timeoutMs: 30_000, outputBytes: 2_000_000, fsBytes: 2 ** 28 }\n` +
      body
  )
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: HANG_GUARD_MS
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('kernel host lifetime', () => {
  it('awaiting the warm-up keeps the process alive until it is done', () => {
    const r = runScript(
      `void (async () => {\n` +
        `  const host = await createKernelHost({ resourcesDir })\n` +
        `  await host.whenWarmed()\n` +
        `  process.stdout.write('warmed\\n')\n` +
        `  const run = await host.createKernel().run('print(6 * 7)', { limits })\n` +
        `  process.stdout.write(run.status + '\\n')\n` +
        `  await host.close()\n` +
        `})()\n`
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('warmed\nok\n')
    expect(r.status).toBe(0)
  })

  // The child's stdout/stderr pipes (PipeWrap) are the test's own; anything else would hold the script.
  it('a host that is never closed, nor waited for to warm up, holds nothing alive once its run is done', () => {
    const r = runScript(
      `void (async () => {\n` +
        `  const host = await createKernelHost({ resourcesDir })\n` +
        `  const run = await host.createKernel().run('1+1', { limits })\n` +
        `  process.stdout.write(run.status + ' ' + JSON.stringify(process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap')) + '\\n')\n` +
        `})()\n`
    )
    expect(r.stdout).toBe('ok []\n')
    expect(r.status).toBe(0)
  })

  // The workers start while the runtime loads: when it cannot be loaded, they must not outlive it
  // (a starting worker keeps the process alive, so the script would hang until the guard kills it).
  it('a host whose runtime cannot be loaded says why and leaves no worker behind', () => {
    const r = runScript(
      `void (async () => {\n` +
        `  await createKernelHost({ resourcesDir: resourcesDir + '-missing' }).catch((e) => {\n` +
        `    process.stdout.write(e.message + '\\n')\n` +
        `  })\n` +
        `})()\n`
    )
    expect(r.stdout).toMatch(
      /^\S+python-missing\/MANIFEST\.json is missing: the Python runtime is incomplete/
    )
    expect(r.status).toBe(0)
  })
})
