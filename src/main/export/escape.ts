/**
 * Escaping for the HTML report. Everything user-controlled (titles, sources, stream text, tracebacks,
 * attribute values) goes through one of these two functions before it reaches the page.
 */

const TEXT_RE = /[&<>"']/g
// A separate non-global pattern for the test: a global one would carry lastIndex between calls.
const NEEDS_ESCAPE_RE = /[&<>"']/
const TEXT_MAP: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

/** Text content and double-quoted attribute values alike: quotes are escaped too, so one function fits both. */
export function escapeHtml(text: string): string {
  return NEEDS_ESCAPE_RE.test(text) ? text.replace(TEXT_RE, (c) => TEXT_MAP[c]!) : text
}
