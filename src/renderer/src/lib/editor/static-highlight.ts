/**
 * Syntax-highlighted spans for a cell that has no editor yet (editors are created lazily, so a
 * 1,000-cell notebook opens fast). Same token classes as the editor, so nothing shifts on click.
 */
import { classHighlighter, highlightCode } from '@lezer/highlight'
import { parser } from '@lezer/python'

export interface Span {
  text: string
  cls: string
}

export function highlightPython(code: string): Span[] {
  const spans: Span[] = []
  highlightCode(
    code,
    parser.parse(code),
    classHighlighter,
    (text, cls) => spans.push({ text, cls }),
    () => spans.push({ text: '\n', cls: '' })
  )
  return spans
}
