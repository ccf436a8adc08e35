/**
 * Escaping for the HTML report. Everything user-controlled (titles, sources, stream text, tracebacks,
 * attribute values) goes through one of these two functions before it reaches the page.
 */

const TEXT_RE = /[&<>"']/g
const TEXT_MAP: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

/** Text content and double-quoted attribute values alike: quotes are escaped too, so one function fits both. */
export function escapeHtml(text: string): string {
  return TEXT_RE.test(text) ? text.replace(TEXT_RE, (c) => TEXT_MAP[c]!) : text
}

/** For attribute values that carry a whole document (iframe srcdoc): same escaping, named for intent. */
export const escapeAttr = escapeHtml
