/**
 * The sandbox's file system against native Linux, call by call: test/fixtures/compat/
 * wasi-errno-cases.py drives every WASI path_* and fd_* call the way CPython does and prints the
 * errno (or "ok"); it runs natively with python3.11 in a temp dir and inside the sandbox, and
 * every line must agree except the differences listed below, each with its reason. A listed
 * difference that goes away fails too, so the list (and docs/compatibility.md) stays true.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FILE_SEMANTICS_DIFFERENCES } from '../compat/file-semantics'
import { runNativePython } from '../compat/native-python'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'

const CASES = readFileSync(resolve(__dirname, '../fixtures/compat/wasi-errno-cases.py'), 'utf8')

const host = useTestHost(1)

function parseCases(stdout: string): Map<string, string> {
  const results = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const at = line.lastIndexOf(': ')
    if (at > 0) results.set(line.slice(0, at), line.slice(at + 2))
  }
  return results
}

describe('file-system calls: errno inside the sandbox vs native Linux', () => {
  it('every case gives the errno native CPython gets, except the documented differences', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuelbook-errno-'))
    let nativeOut: string
    try {
      const native = runNativePython(`BASE = ${JSON.stringify(join(dir, 'cases'))}\n${CASES}`, {
        cwd: dir,
        timeoutMs: 30_000
      })
      expect(native.exitCode, native.stderr).toBe(0)
      nativeOut = native.stdout
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const run = await host()
      .createKernel()
      .run(`BASE = '/tmp/errno-cases'\n${CASES}`, { limits: LIMITS, isolated: true })
    expect(run.status, JSON.stringify(run.outputs)).toBe('ok')

    const native = parseCases(nativeOut)
    const sandbox = parseCases(textOf(run.outputs))
    expect(native.size).toBeGreaterThan(100)
    expect([...sandbox.keys()]).toEqual([...native.keys()])

    const unexplained: string[] = []
    for (const [name, expected] of native) {
      const got = sandbox.get(name)
      const known = FILE_SEMANTICS_DIFFERENCES.find((d) => d.case === name)
      if (known === undefined) {
        if (got !== expected) unexplained.push(`${name}: native ${expected}, sandbox ${got}`)
      } else {
        // Recorded exactly: a difference that changes or disappears must be re-documented.
        expect({ name, native: expected, sandbox: got }).toEqual({
          name,
          native: known.native,
          sandbox: known.sandbox
        })
      }
    }
    expect(unexplained).toEqual([])
    for (const known of FILE_SEMANTICS_DIFFERENCES) expect(native.has(known.case), known.case).toBe(true)
  })
})
