/**
 * A second Fuelbook process for store tests. `hold <file>`: opens the notebook, prints "ready", waits.
 * `churn <file> <seed>`: opens it and edits and commits runs in a loop until killed, printing
 * "run <id>" only after commitRun returned (the crash test checks every printed run survived).
 * Output goes through fs.writeSync so a line is in the pipe before the next statement runs.
 */
import fs from 'node:fs'
import { NotebookStore } from '../../src/main/store'
import { codeCell, makeRun, makeSnapshot, sampleOutputs } from './store-fixtures'

const [mode, file, seedArg] = process.argv.slice(2)
const say = (line: string): void => {
  fs.writeSync(1, line + '\n')
}

const opened = NotebookStore.open(file!)
if (!opened.ok) {
  say(`error ${opened.error}`)
  process.exit(2)
}
const store = opened.value
say('ready')

if (mode === 'hold') {
  setInterval(() => undefined, 1 << 30)
} else {
  let seed = Number(seedArg ?? 1) >>> 0 || 1
  const random = (n: number): number => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % n
  }
  let n = store.load().head.nextExecutionCount
  for (let i = 0; ; i++) {
    // Runs only go to "keep" cells and only "tmp" cells are deleted, so no committed run is ever deleted.
    const cells = store.listCells()
    const keep = cells.filter((c) => !c.id.startsWith('tmp'))
    const tmp = cells.filter((c) => c.id.startsWith('tmp'))
    const op = random(10)
    const target = keep[random(keep.length)]
    if (keep.length < 3 || op === 0) {
      const id = `${random(2) === 0 ? 'tmp' : 'keep'}-${seed.toString(36)}-${i}`
      store.insertCell(codeCell(id), random(cells.length + 1))
    } else if (op === 1 && tmp.length > 0) {
      store.deleteCell(tmp[random(tmp.length)]!.id)
    } else if (op === 2) {
      store.moveCell(cells[random(cells.length)]!.id, random(cells.length))
    } else if (op === 3) {
      store.updateCell(target!.id, { source: `y = ${i}\n`.repeat(random(50) + 1) })
    } else {
      const head =
        op >= 8
          ? {
              snapshot: makeSnapshot(8 + random(8), (p) => (p + random(3)) % 11, 4096),
              cellId: target!.id,
              executionCount: n
            }
          : null
      const run = store.commitRun(makeRun(target!.id, n, sampleOutputs(n, random(3) === 0 ? 6000 : 0)), head)
      say(`run ${run.id}`)
      n++
    }
  }
}
