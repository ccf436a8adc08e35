/**
 * The extensions of a cell editor: Python, bracket matching, auto-indent, search, an undo history
 * of its own, notebook keys, kernel completion and the kernel inspector (Shift+Tab). Each feature is its own extension; this file
 * only lists them.
 */
import { closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { python } from '@codemirror/lang-python'
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language'
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search'
import { EditorState, type Extension } from '@codemirror/state'
import { drawSelection, EditorView, keymap, placeholder } from '@codemirror/view'
import { classHighlighter } from '@lezer/highlight'
import type { CellType } from '../../../../shared/notebook'
import { kernelCompletion, type KernelCompletionConfig } from './kernel-completion'
import { kernelInspector, type KernelInspectorConfig } from './kernel-inspector'
import { runKeys, type RunKeysConfig } from './run-keys'
import { cellNavigation, type CellNavigationConfig } from './cell-navigation'
import { findMark } from './find-mark'

export interface CellEditorConfig
  extends RunKeysConfig, KernelCompletionConfig, KernelInspectorConfig, CellNavigationConfig {
  type: CellType
  onChange: (source: string) => void
  onCursor: (offset: number) => void
  onFocus: () => void
  label: string
  readOnly: boolean
}

export function cellEditorExtensions(config: CellEditorConfig): Extension {
  const isCode = config.type === 'code'
  return [
    runKeys(config),
    cellNavigation(config),
    EditorState.readOnly.of(config.readOnly),
    isCode
      ? [python(), kernelCompletion(config), kernelInspector(config), indentOnInput(), closeBrackets()]
      : EditorView.lineWrapping,
    indentUnit.of('    '),
    EditorState.tabSize.of(4),
    history(),
    drawSelection(),
    bracketMatching(),
    highlightSelectionMatches(),
    search({ top: true }),
    findMark(),
    syntaxHighlighting(classHighlighter),
    placeholder(isCode ? 'Python — Shift+Enter to run' : 'Markdown — Shift+Enter to render'),
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...completionKeymap
    ]),
    EditorView.contentAttributes.of({ 'aria-label': config.label }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) config.onChange(u.state.doc.toString())
      if (u.docChanged || u.selectionSet) config.onCursor(u.state.selection.main.head)
      if (u.focusChanged && u.view.hasFocus) config.onFocus()
    })
  ]
}
