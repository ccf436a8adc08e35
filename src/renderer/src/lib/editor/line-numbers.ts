/**
 * Line numbers in a cell's editor (Shift+L, as in JupyterLab; the fuel profile's heat gutter shows them
 * too). One extension value, so an editor that gets it from both is deduplicated by CodeMirror. The
 * number column's width and padding match `StaticCode.svelte`'s, so a cell keeps its text in place
 * when it gets its editor.
 */
import { lineNumbers } from '@codemirror/view'
import { EditorView } from '@codemirror/view'
import type { Extension } from '@codemirror/state'

export const lineNumberGutter: Extension = [
  lineNumbers(),
  EditorView.baseTheme({
    '.cm-gutters': { background: 'transparent', border: 'none', color: 'var(--faint)' },
    '.cm-lineNumbers .cm-gutterElement': {
      boxSizing: 'content-box',
      minWidth: '3ch',
      padding: '0 0 0 8px',
      textAlign: 'right'
    }
  })
]
