/** Edit-mode notebook keys (Shift+Enter, Ctrl+Enter, Alt+Enter, Esc, Ctrl+S…) inside a cell editor. */
import { Prec, type Extension } from '@codemirror/state'
import { keymap } from '@codemirror/view'
import { ACTIONS, toCodeMirrorKey, type ActionId } from '../actions'

export interface RunKeysConfig {
  onAction: (action: ActionId) => void
  /** Escape is left to an open completion popup / search panel first. */
  isBusy?: () => boolean
}

export function runKeys(config: RunKeysConfig): Extension {
  const bindings = ACTIONS.flatMap((a) =>
    (a.edit ?? []).map((keys) => ({
      key: toCodeMirrorKey(keys),
      run: () => {
        config.onAction(a.id)
        return true
      }
    }))
  )
  return Prec.highest(keymap.of(bindings))
}
