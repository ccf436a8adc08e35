/**
 * The host for the memory test (host-memory.test.ts): one process (a NotebookService with its kernel
 * and store, as `fuelbook serve` has), which runs the trivial cell (the baseline, after a warm-up),
 * then the cases named on its command line one after another, and prints one JSON line each with the
 * peak resident set while it ran. Linux only: the peak is VmHWM of /proc/self/status, reset before
 * each case by writing 5 to /proc/self/clear_refs (proc(5)).
 *
 *   node --expose-gc --import tsx test/reliability/host-memory-child.ts sparse-3g …
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import { startService } from '../helpers/start-service'
import { ALL_CASES, BASELINE, type MemoryCase, type MemoryMeasurement } from './host-memory-cases'

function peakResidentBytes(): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  if (!kib) throw new Error('no VmHWM in /proc/self/status')
  return Number(kib[1]) * 1024
}

function resetPeak(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
  writeFileSync('/proc/self/clear_refs', '5')
}

async function main(): Promise<void> {
  const h = await startService()
  const byId = new Map(ALL_CASES.map((c) => [c.id, c]))
  const run = async (c: MemoryCase): Promise<MemoryMeasurement> => {
    const created = await h.service.createNotebook()
    if (!created.ok) throw new Error(created.error)
    const path = created.value.path
    const set = await h.service.setSettings(path, { ...DEFAULT_SETTINGS, limits: c.limits })
    if (!set.ok) throw new Error(set.error)
    const ids: string[] = []
    for (const source of c.cells) {
      const cell = await h.service.insertCell(path, { type: 'code', source })
      if (!cell.ok) throw new Error(cell.error)
      ids.push(cell.value.id)
    }
    resetPeak()
    const started = performance.now()
    const statuses: string[] = []
    for (const id of ids) statuses.push(...(await h.run(path, [id])).map((r) => r.status))
    const measurement = {
      id: c.id,
      peakBytes: peakResidentBytes(),
      statuses,
      wallMs: Math.round(performance.now() - started)
    }
    await h.service.closeNotebook(path)
    rmSync(path, { force: true })
    return measurement
  }
  try {
    // Warm-up: the first run starts the kernel's workers and loads the runtime, which no case should pay.
    await run(BASELINE)
    process.stdout.write(JSON.stringify(await run(BASELINE)) + '\n')
    for (const id of process.argv.slice(2)) {
      const c = byId.get(id)
      if (!c) throw new Error(`unknown case ${id}`)
      process.stdout.write(JSON.stringify(await run(c)) + '\n')
    }
  } finally {
    await h.close()
    rmSync(h.dataDir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
})
