/**
 * The store's crash test, one body for two scales (test/integration/store-crash.test.ts: 50 kills;
 * test/reliability/sigkill.test.ts: 200). The store's own child process (store-child.ts `churn`:
 * edits cells and commits runs, some with a new kernel head, printing each run id only after its
 * commit returned) is SIGKILLed again and again on one notebook, a fifth of the time while it is
 * still opening the file. After every kill the file must pass integrity_check and hold every run
 * whose commit had returned, its cell positions dense and no kernel page orphaned; at the end it
 * must open and load through NotebookStore. The kill moments come from a seeded generator.
 */
import Database from 'better-sqlite3'
import { NotebookStore } from '../../src/main/store'
import { startStoreChild } from './store-child-process'

export interface SigkillResult {
  committed: Set<number>
  killedWhileOpening: number
  /** Empty when every check held after every kill. */
  problems: string[]
}

/** Problems with the file as a plain SQLite connection finds it after the crash (it replays the WAL). */
export function fileProblems(file: string, committed: Set<number>): string[] {
  const db = new Database(file)
  try {
    const problems: string[] = []
    const integrity = db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
    if ((db.pragma('foreign_key_check') as unknown[]).length > 0) problems.push('foreign_key_check failed')
    const ids = new Set((db.prepare('SELECT id FROM runs').all() as { id: number }[]).map((r) => r.id))
    const lost = [...committed].filter((id) => !ids.has(id))
    if (lost.length > 0) problems.push(`lost committed runs ${lost.slice(0, 5).join(', ')}`)
    const positions = (
      db.prepare('SELECT position FROM cells ORDER BY position').all() as { position: number }[]
    ).map((r) => r.position)
    if (positions.some((p, i) => p !== i)) problems.push('cell positions not dense')
    const orphans = db
      .prepare(
        'SELECT count(*) AS n FROM kernel_pages WHERE hash NOT IN (SELECT hash FROM kernel_head_pages)'
      )
      .get() as { n: number }
    if (orphans.n > 0) problems.push(`${orphans.n} orphaned kernel pages`)
    return problems
  } finally {
    db.close()
  }
}

export async function sigkillChurn(
  file: string,
  options: { kills: number; seed: number; firstChildId: number }
): Promise<SigkillResult> {
  const committed = new Set<number>()
  let seed = options.seed
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  let killedWhileOpening = 0
  const problems: string[] = []
  for (let i = 0; i < options.kills && problems.length === 0; i++) {
    const child = await startStoreChild(['churn', file, String(options.firstChildId + i)])
    if (i % 5 === 4) {
      // Kill during start-up: open, WAL recovery, journal-mode switch.
      await new Promise((r) => setTimeout(r, random(60)))
    } else {
      const first = await child.ready
      if (first !== 'ready') problems.push(`kill ${i}: child said ${first}`)
      await new Promise((r) => setTimeout(r, 5 + random(100)))
    }
    child.process.kill('SIGKILL')
    await child.exited
    if (child.lines[0] !== 'ready') killedWhileOpening++
    for (const line of child.lines) {
      if (line.startsWith('error')) problems.push(`kill ${i}: ${line}`)
      if (line.startsWith('run ')) committed.add(Number(line.slice(4)))
    }
    problems.push(...fileProblems(file, committed).map((p) => `after kill ${i + 1}: ${p}`))
  }
  const opened = NotebookStore.open(file)
  if (!opened.ok) problems.push(`open after the kills: ${opened.error}`)
  else {
    const nb = opened.value.load()
    if (nb.cells.length === 0) problems.push('no cells after the kills')
    opened.value.close()
  }
  return { committed, killedWhileOpening, problems }
}
