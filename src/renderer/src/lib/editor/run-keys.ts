/** Edit-mode notebook keys (Shift+Enter, Ctrl+Enter, Alt+Enter, Esc, Ctrl+S…) inside a cell editor. */
import { completionStatus } from '@codemirror/autocomplete'
import { searchPanelOpen } from '@codemirror/search'
import { Prec, type EditorState, type Extension } from '@codemirror/state'
import { keymap } from '@codemirror/view'
import { ACTIONS, toCodeMirrorKey, type ActionId } from '../actions'
import { inspectorOpen } from './kernel-inspector'

export interface RunKeysConfig {
  onAction: (action: ActionId) => void
}

/** Esc first closes the editor's own popups (completion, search, the inspector); only then leaves the cell. */
function editorPopupOpen(state: EditorState): boolean {
  return completionStatus(state) !== null || searchPanelOpen(state) || inspectorOpen(state)
}

export function runKeys(config: RunKeysConfig): Extension {
  const bindings = ACTIONS.filter((a) => !a.editorBinds).flatMap((a) =>
    (a.edit ?? []).map((keys) => ({
      key: toCodeMirrorKey(keys),
      run: (view: { state: EditorState }) => {
        if (a.id === 'command-mode' && editorPopupOpen(view.state)) return false
        config.onAction(a.id)
        return true
      }
    }))
  )
  return Prec.highest(keymap.of(bindings))
}
