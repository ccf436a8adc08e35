/**
 * The renderer's view of the action registry (src/shared/actions.ts, shared with the desktop menu):
 * how keys are shown and handed to CodeMirror, and the shortcuts sheet (H). The keyboard handler, the
 * editor keymap and the command palette read the same ACTIONS.
 */
import { ACTIONS, type ActionSpec, type Mode } from '../../../shared/actions'

export { ACTIONS, isActionId, type ActionId, type ActionSpec, type Mode } from '../../../shared/actions'

export interface ShortcutSection {
  mode: Mode
  title: string
  actions: ActionSpec[]
}

/** The shortcuts sheet: per mode, every action with a key in it, in registry order. */
export function shortcutSections(actions: readonly ActionSpec[] = ACTIONS): ShortcutSection[] {
  return [
    { mode: 'command', title: 'Command mode (Esc)', actions: actions.filter((a) => a.command?.length) },
    { mode: 'edit', title: 'Edit mode (Enter)', actions: actions.filter((a) => a.edit?.length) }
  ]
}

/** Keys as shown to the user: Mod → Ctrl or ⌘, arrows as glyphs. */
export function displayKeys(keys: string, isMac: boolean): string {
  return keys
    .split(' ')
    .map((chord) =>
      chord
        .split('+')
        .map((k) => (k === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : k === 'Alt' && isMac ? '⌥' : (ARROWS[k] ?? k)))
        .join(isMac ? '' : '+')
    )
    .join(' ')
}

const ARROWS: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Escape: 'Esc'
}

/**
 * "Mod+Shift+Enter" → CodeMirror's "Mod-Shift-Enter". CodeMirror matches letters by their
 * unshifted name ("Mod-Shift-p"), so letters are lower-cased.
 */
export function toCodeMirrorKey(keys: string): string {
  return keys
    .replace(/\+(?=.)/g, '-')
    .replace(/(^|-)([A-Z])$/, (_, sep: string, letter: string) => sep + letter.toLowerCase())
}
