/** ANSI colour escapes → HTML spans; ansi_up escapes the text itself. A fresh instance per call: it keeps colour state. */
import { AnsiUp } from 'ansi_up'

export function ansiToHtml(text: string): string {
  if (!text.includes('\u001b')) return escapeOnly(text)
  const au = new AnsiUp()
  au.use_classes = true
  au.escape_html = true
  return au.ansi_to_html(text)
}

// ansi_up's own escaping (& < > " ') for the common case without escapes, without building an instance.
function escapeOnly(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!
  )
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '')
}
