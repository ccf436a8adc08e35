/**
 * Python source → highlighted HTML at export time, with the editor's grammar (@lezer/python) and
 * the editor's token classes (classHighlighter: `tok-keyword`, …), so the report's colours match the app.
 */
import { classHighlighter, highlightTree } from '@lezer/highlight'
import { parser } from '@lezer/python'
import { escapeHtml } from './escape'

/**
 * Token classes the report's stylesheet colours (html-style.ts). Other tokens (plain names, most of
 * any program) are written without a span: the report stays a third smaller and as fast to make.
 */
const COLOURED = new Set([
  'tok-keyword',
  'tok-controlKeyword',
  'tok-operatorKeyword',
  'tok-definitionKeyword',
  'tok-moduleKeyword',
  'tok-string',
  'tok-string2',
  'tok-number',
  'tok-bool',
  'tok-atom',
  'tok-comment',
  'tok-className',
  'tok-standard',
  'tok-self',
  'tok-operator',
  'tok-punctuation',
  'tok-definition'
])
const colouredCache = new Map<string, boolean>()

function isColoured(classes: string): boolean {
  let known = colouredCache.get(classes)
  if (known === undefined) {
    known = classes.split(' ').some((c) => COLOURED.has(c))
    colouredCache.set(classes, known)
  }
  return known
}

/** Token spans are collected by position and the gaps copied between them: one pass, few strings. */
export function highlightPython(code: string): string {
  const out: string[] = []
  let pos = 0
  highlightTree(parser.parse(code), classHighlighter, (from, to, classes) => {
    if (!isColoured(classes)) return
    if (from > pos) out.push(escapeHtml(code.slice(pos, from)))
    out.push(`<span class="${classes}">${escapeHtml(code.slice(from, to))}</span>`)
    pos = to
  })
  if (pos < code.length) out.push(escapeHtml(code.slice(pos)))
  return out.join('')
}
