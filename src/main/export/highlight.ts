/**
 * Python source → highlighted HTML at export time, with the editor's grammar (@lezer/python) and
 * the editor's token classes (classHighlighter: `tok-keyword`, …), so the report's colours match the app.
 */
import { classHighlighter, highlightCode } from '@lezer/highlight'
import { parser } from '@lezer/python'
import { escapeHtml } from './escape'

export function highlightPython(code: string): string {
  const out: string[] = []
  highlightCode(
    code,
    parser.parse(code),
    classHighlighter,
    (text, cls) => out.push(cls ? `<span class="${cls}">${escapeHtml(text)}</span>` : escapeHtml(text)),
    () => out.push('\n')
  )
  return out.join('')
}
