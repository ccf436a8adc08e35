/**
 * Tab completion from the kernel (rlcompleter in an inspect run, which never moves the head).
 * Explicit only (Tab after a name character): each request is a real, metered run.
 */
import {
  autocompletion,
  startCompletion,
  completionStatus,
  type CompletionContext,
  type CompletionResult
} from '@codemirror/autocomplete'
import { Prec, type Extension } from '@codemirror/state'
import { keymap } from '@codemirror/view'
import { indentMore } from '@codemirror/commands'
import type { Completion } from '../../../../shared/api'

export interface KernelCompletionConfig {
  complete: (code: string, cursor: number) => Promise<Completion | null>
}

export function kernelCompletion(config: KernelCompletionConfig): Extension {
  async function source(context: CompletionContext): Promise<CompletionResult | null> {
    const code = context.state.doc.toString()
    const result = await config.complete(code, context.pos).catch(() => null)
    // A newer request or an edit made this answer stale: drop it.
    if (!result || context.aborted || result.matches.length === 0) return null
    return {
      from: result.from,
      to: result.to,
      options: result.matches.map((label) => ({
        label,
        type: label.endsWith('(') ? 'function' : 'variable'
      })),
      validFor: /^[\w.]*$/
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
            const pos = view.state.selection.main
            const before = view.state.sliceDoc(Math.max(0, pos.head - 1), pos.head)
            if (pos.empty && /[\w.]/.test(before)) return startCompletion(view)
            return indentMore(view)
          }
        }
      ])
    )
  ]
}
