/** What a fixture must load as, in a JSON-comparable form (binary as base64). */
import type { NotebookStore } from '../../src/main/store'

export function fixtureExpectation(store: NotebookStore): unknown {
  const head = store.loadHead()
  const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64')
  return {
    notebook: store.load(),
    history: Object.fromEntries(
      store.listCells().map((c) => [c.id, store.listRuns(c.id).map((r) => store.getRun(r.id))])
    ),
    head: head && {
      cellId: head.cellId,
      executionCount: head.executionCount,
      snapshot: {
        ...head.snapshot,
        state: b64(head.snapshot.state),
        pages: head.snapshot.pages.map((p) => ({ ...p, data: b64(p.data) }))
      }
    }
  }
}
