/**
 * Jupyter's inspector: Shift+Tab shows the signature and docstring of the name at the cursor (or of
 * the call the cursor is in) in a tooltip under the cursor, as plain text; Shift+Tab again shows all
 * of it when only the first lines fit. The text comes from an inspect run from the kernel's head,
 * like completion (it never moves the head). Esc, an edit, moving the cursor or leaving the editor
 * closes it; focus never leaves the editor.
 */
import { Prec, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state'
import { EditorView, keymap, showTooltip, type Tooltip } from '@codemirror/view'
import type { Inspection } from '../../../../shared/api'

export interface KernelInspectorConfig {
  inspect: (code: string, cursor: number, full: boolean) => Promise<Inspection | null>
}

interface Shown {
  pos: number
  inspection: Inspection
}

const setShown = StateEffect.define<Shown | null>()

const shownField = StateField.define<Shown | null>({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setShown)) return effect.value
    return tr.docChanged || tr.selection ? null : value
  },
  provide: (field) => showTooltip.from(field, (shown) => (shown ? inspectorTooltip(shown) : null))
})

/** True while the inspector shows: Esc closes it before it leaves the cell. */
export function inspectorOpen(state: EditorState): boolean {
  return state.field(shownField, false) != null
}

function inspectorTooltip({ pos, inspection }: Shown): Tooltip {
  return {
    pos,
    above: false,
    create: () => {
      const dom = document.createElement('div')
      dom.className = 'cm-inspector'
      dom.dataset.testid = 'inspector'
      dom.setAttribute('role', 'tooltip')
      const text = document.createElement('pre')
      text.className = inspection.text === null ? 'cm-inspector-missing' : 'cm-inspector-text'
      text.textContent = inspection.text ?? `${inspection.name} is not defined in the kernel`
      dom.append(text)
      if (inspection.truncated) {
        const more = document.createElement('div')
        more.className = 'cm-inspector-more'
        more.textContent = 'Shift+Tab: show all · Esc: close'
        dom.append(more)
      }
      return { dom }
    }
  }
}

/** Shows (or expands) the inspector at the cursor; true: the key is taken, focus stays in the editor. */
export function inspectAtCursor(view: EditorView, config: KernelInspectorConfig): boolean {
  const shown = view.state.field(shownField)
  // Already showing all there is: keep it (and the focus).
  if (shown && !shown.inspection.truncated) return true
  const { doc } = view.state
  const pos = view.state.selection.main.head
  void config
    .inspect(doc.toString(), pos, shown !== null)
    .catch(() => null)
    .then((inspection) => {
      // An edit, a cursor move or a closed cell made the answer stale: drop it.
      const stale = !view.dom.isConnected || view.state.doc !== doc || view.state.selection.main.head !== pos
      if (!inspection || !inspection.name || stale) return
      view.dispatch({ effects: setShown.of({ pos, inspection }) })
    })
  return true
}

export function kernelInspector(config: KernelInspectorConfig): Extension {
  return [
    shownField,
    EditorView.focusChangeEffect.of((state, focusing) =>
      !focusing && inspectorOpen(state) ? setShown.of(null) : null
    ),
    Prec.highest(
      keymap.of([
        { key: 'Shift-Tab', run: (view) => inspectAtCursor(view, config) },
        {
          key: 'Escape',
          run: (view) => {
            if (!inspectorOpen(view.state)) return false
            view.dispatch({ effects: setShown.of(null) })
            return true
          }
        }
      ])
    )
  ]
}
