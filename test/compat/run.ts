/**
 * `npm run compat [-- --quick] [-- module…]`: runs the compatibility suites natively and inside
 * the sandbox, keeps every module's comparison in docs/compatibility.json (a partial run updates
 * only the modules it ran) and writes docs/compatibility.md from it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKernelHost } from '../../src/main/kernel'
import { FILE_SEMANTICS_DIFFERENCES } from './file-semantics'
import { compareModule } from './harness'
import { renderCompatibility, resultsOfRuntime, type CompatResults, type RunInfo } from './report'
import { COMPAT_SUITES } from './suites'

const ROOT = join(__dirname, '..', '..')
const RESULTS = join(ROOT, 'docs', 'compatibility.json')
const REPORT = join(ROOT, 'docs', 'compatibility.md')
/** Fuel is the real limit inside; this only catches a hang. */
const MODULE_TIMEOUT_MS = 45 * 60_000

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const quick = argv.includes('--quick')
  const only = new Set(argv.filter((a) => !a.startsWith('--')))
  const stored: CompatResults = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as CompatResults)
    : { suites: {} }
  const host = await createKernelHost({
    resourcesDir: join(ROOT, 'resources', 'python'),
    cacheDir: join(tmpdir(), 'fuelbook-cache'),
    poolSize: 1
  })
  const run: RunInfo = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`,
    runtime: `CPython ${host.pythonVersion}, runtime ${host.runtimeHash.slice(0, 12)}`
  }
  const { results, dropped } = resultsOfRuntime(stored, run.runtime)
  if (dropped > 0)
    process.stderr.write(
      `dropped ${dropped} modules' results measured on another runtime than ${run.runtime}\n`
    )
  try {
    for (const suite of COMPAT_SUITES) {
      const modules = suite.modules.filter((m) =>
        only.size > 0 ? only.has(m.name) : !quick || m.quick === true
      )
      if (modules.length === 0) continue
      suite.ensure()
      for (const module of modules) {
        const comparison = await compareModule(suite, module, host, {
          timeoutMs: MODULE_TIMEOUT_MS,
          log: (line) => process.stderr.write(`  ${line}\n`)
        })
        ;(results.suites[suite.id] ??= {})[module.name] = { run, comparison }
        // Written after every module: a long run that is stopped keeps what it measured.
        writeFileSync(RESULTS, JSON.stringify(results, null, 1) + '\n')
        writeFileSync(REPORT, renderCompatibility(COMPAT_SUITES, results, FILE_SEMANTICS_DIFFERENCES))
      }
    }
  } finally {
    await host.close()
  }
  process.stderr.write(`wrote ${REPORT}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`compat: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
