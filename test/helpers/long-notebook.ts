/** A long notebook written straight into a file, for the UI bench and the long-notebook e2e spec. */
import { NotebookStore } from '../../src/main/store'
import type { Cell, NotebookSettings } from '../../src/shared/notebook'
import { makeRun, sampleOutputs } from './store-fixtures'

/**
 * `cells` cells: every fifth one markdown with a `## Section n` heading, every code cell with a
 * committed run (stdout and a result). Cell ids are `cell-0`, `cell-1`, … in order.
 */
export function writeLongNotebook(file: string, cells: number, settings: NotebookSettings): void {
  const created = NotebookStore.create(file, { title: `${cells} cells`, settings })
  if (!created.ok) throw new Error(created.error)
  const store = created.value
  store.batch(() => {
    for (let c = 0; c < cells; c++) store.insertCell(longNotebookCell(c), c)
  })
  let n = 1
  for (let c = 0; c < cells; c++) {
    if (c % 5 === 4) continue
    store.commitRun(makeRun(`cell-${c}`, n, sampleOutputs(n)))
    n++
  }
  store.close()
}

function longNotebookCell(c: number): Cell {
  const id = `cell-${c}`
  return c % 5 === 4
    ? {
        id,
        type: 'markdown',
        source: `## Section ${c}\n\nSome *markdown* text for cell ${c}.`,
        metadata: {},
        isolated: false
      }
    : {
        id,
        type: 'code',
        source: `# cell ${c}\nx_${c} = ${c}\nfor i in range(3):\n    x_${c} += i\nx_${c}`,
        metadata: {},
        isolated: false
      }
}
