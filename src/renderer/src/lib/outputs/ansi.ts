/** ANSI colour escapes → HTML spans (ansi_up escapes the text itself). One instance per call: ansi_up keeps colour state between calls. */
import { AnsiUp } from 'ansi_up'

export function ansiToHtml(text: string): string {
  const au = new AnsiUp()
  au.use_classes = true
  au.escape_html = true
  return au.ansi_to_html(text)
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '')
}
