/**
 * The notebook find bar's current match, marked in the cell's editor while the focus stays in the
 * find box (src/renderer/src/lib/find.ts finds it; `FindBar.svelte` steps through the matches).
 */
import { StateEffect, StateField, type Extension } from '@codemirror/state'
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view'

export const setFindMark = StateEffect.define<{ from: number; to: number } | null>()

const mark = Decoration.mark({ class: 'cm-find-current', attributes: { 'data-testid': 'find-current' } })

const findMarkField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = marks.map(tr.changes)
    for (const effect of tr.effects) {
      if (!effect.is(setFindMark)) continue
      const range = effect.value
      next =
        range && range.to <= tr.state.doc.length && range.from < range.to
          ? Decoration.set([mark.range(range.from, range.to)])
          : Decoration.none
    }
    return next
  },
  provide: (field) => EditorView.decorations.from(field)
})

export function findMark(): Extension {
  return findMarkField
}
