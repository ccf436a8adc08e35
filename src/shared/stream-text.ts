/**
 * Stream output as a terminal shows it, shared by the UI and the HTML report. Pure, no imports.
 */

/** Within a line, text after '\r' overwrites from the line start, as a terminal shows progress bars. */
export function applyCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line
      let shown = ''
      for (const part of line.split('\r')) shown = part + shown.slice(part.length)
      return shown
    })
    .join('\n')
}
