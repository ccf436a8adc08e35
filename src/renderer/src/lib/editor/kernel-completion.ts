/**
 * Tab completion from the kernel (rlcompleter in an inspect run, which never moves the head).
 * Explicit only (Tab after a name character): each request is a real, metered run. As in JupyterLab,
 * a single match is inserted at once; several open the list, from the same answer (no second run).
 */
import {
  autocompletion,
  startCompletion,
  completionStatus,
  type CompletionContext,
  type CompletionResult
} from '@codemirror/autocomplete'
import { Prec, type Extension } from '@codemirror/state'
import { keymap, type EditorView } from '@codemirror/view'
import { indentMore } from '@codemirror/commands'
import type { Completion } from '../../../../shared/api'

export interface KernelCompletionConfig {
  complete: (code: string, cursor: number) => Promise<Completion | null>
}

/**
 * The list shows an attribute by its own name ('mean' for 'statistics.mean'), as JupyterLab does:
 * rlcompleter answers with the whole dotted path, which repeats what was typed on every row and pushes
 * the names apart. What is inserted is still the whole match.
 */
export function listedName(match: string): string {
  return match.slice(match.lastIndexOf('.', match.length - 2) + 1)
}

export function kernelCompletion(config: KernelCompletionConfig): Extension {
  /** The answer Tab asked for, kept for the list it opens: for this text and cursor only. */
  let asked: { code: string; pos: number; result: Completion } | null = null
  /** A Tab is waiting for the kernel: another Tab meanwhile asks nothing more. */
  let waiting = false

  async function source(context: CompletionContext): Promise<CompletionResult | null> {
    const code = context.state.doc.toString()
    const kept = asked && asked.code === code && asked.pos === context.pos ? asked.result : null
    asked = null
    const result = kept ?? (await config.complete(code, context.pos).catch(() => null))
    // A newer request or an edit made this answer stale: drop it.
    if (!result || context.aborted || result.matches.length === 0) return null
    return {
      from: result.from,
      to: result.to,
      options: result.matches.map((label) => ({
        label,
        displayLabel: listedName(label),
        // rlcompleter marks a callable with '(', or '()' when it takes no arguments.
        type: label.endsWith('(') || label.endsWith('()') ? 'function' : 'variable'
      })),
      validFor: /^[\w.]*$/
    }
  }

  async function completeAtCursor(view: EditorView): Promise<void> {
    const code = view.state.doc.toString()
    const pos = view.state.selection.main.head
    waiting = true
    const result = await config.complete(code, pos).catch(() => null)
    waiting = false
    // Typing or moving on while the kernel answered: the answer is for text that is gone.
    if (!result || view.state.doc.toString() !== code || view.state.selection.main.head !== pos) return
    if (result.matches.length === 1) {
      const insert = result.matches[0]!
      view.dispatch({
        changes: { from: result.from, to: result.to, insert },
        selection: { anchor: result.from + insert.length },
        userEvent: 'input.complete'
      })
    } else if (result.matches.length > 1) {
      asked = { code, pos, result }
      startCompletion(view)
    }
  }

  return [
    autocompletion({ override: [source], activateOnTyping: false, closeOnBlur: true }),
    Prec.high(
      keymap.of([
        {
          key: 'Tab',
          run: (view) => {
            if (completionStatus(view.state) !== null) return false
            if (waiting) return true
            const pos = view.state.selection.main
            const before = view.state.sliceDoc(Math.max(0, pos.head - 1), pos.head)
            if (pos.empty && /[\w.]/.test(before)) {
              void completeAtCursor(view)
              return true
            }
            return indentMore(view)
          }
        }
      ])
    )
  ]
}
