/**
 * Output text as a terminal and a traceback reader show it, shared by the UI and the HTML report (part
 * of the output model, output-model.ts): carriage returns and backspaces in streams, ANSI colours to
 * HTML, and the failing line of the cell an error points at.
 */
import { AnsiUp } from 'ansi_up'
import type { ErrorOutput } from './notebook'

/**
 * Within a line, text after '\r' overwrites from the line start and '\b' steps back one character,
 * as a terminal shows progress bars and spinners.
 */
export function applyCarriageReturns(text: string): string {
  if (!text.includes('\r') && !text.includes('\b')) return text
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => (line.includes('\r') || line.includes('\b') ? terminalLine(line) : line))
    .join('\n')
}

function terminalLine(line: string): string {
  const shown: string[] = []
  let col = 0
  for (const ch of line) {
    if (ch === '\r') col = 0
    else if (ch === '\b') col = Math.max(0, col - 1)
    else shown[col++] = ch
  }
  return shown.join('')
}

/** ANSI colour escapes → HTML spans; ansi_up escapes the text itself. A fresh instance per call: it keeps colour state. */
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

// Frames in the cell itself: our kernel's `File "<cell-3>", line 2` and IPython's `Cell In[4], line 3`.
const CELL_FRAME_RE = /^\s*(?:File "<(?!frozen)[^>]*>", line|Cell In\[\d+\], line) (\d+)/

export interface TracebackLine {
  text: string
  /** A frame header that points into this cell: its line there. */
  cellLine: number | null
}

export function tracebackLines(error: ErrorOutput): TracebackLine[] {
  const text = error.traceback.map(stripAnsi).join('\n')
  return text.split('\n').map((line) => {
    const m = CELL_FRAME_RE.exec(line)
    return { text: line, cellLine: m ? Number(m[1]) : null }
  })
}

/**
 * The exception's notes (PEP 678, `add_note`): CPython prints them after the final "Name: value"
 * line, so a compact view that shows only the name and value would hide them.
 */
export function exceptionNotes(error: ErrorOutput): string[] {
  const lines = tracebackLines(error).map((l) => l.text)
  const valueLines = error.evalue ? error.evalue.split('\n') : []
  const last = valueLines.length ? `${error.ename}: ${valueLines[0]}` : error.ename
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    // Classes outside builtins print with their module: "json.decoder.JSONDecodeError: …".
    if (line !== last && !line.endsWith(`.${last}`)) continue
    return lines.slice(i + Math.max(1, valueLines.length)).filter((l) => l.trim() !== '')
  }
  return []
}

/** The line of the cell where the error was raised (1-based): the output's own lineno, else the last cell frame. */
export function failingLine(error: ErrorOutput): number | null {
  if (typeof error.lineno === 'number' && error.lineno > 0) return error.lineno
  const frames = tracebackLines(error).filter((l) => l.cellLine !== null)
  return frames.length ? frames[frames.length - 1]!.cellLine : null
}

export interface ExcerptLine {
  n: number
  text: string
  hit: boolean
}

/** A few lines of the source around `line` (1-based), numbered as in the cell; empty when out of range. */
export function sourceExcerpt(source: string, line: number, context = 2): ExcerptLine[] {
  const lines = source.split('\n')
  if (line < 1 || line > lines.length) return []
  const out: ExcerptLine[] = []
  for (let n = Math.max(1, line - context); n <= Math.min(lines.length, line + context); n++)
    out.push({ n, text: lines[n - 1] ?? '', hit: n === line })
  return out
}

/** A traceback frame in the code of a notebook cell other than the one that ran (its function, its line). */
export interface OtherCellFrame {
  /** The interpreter's name for that cell's code: `<cell-N>`, N the [n] of the run that defined it. */
  file: string
  line: number
  /** The function the line is in. */
  name: string
  /** The line as the traceback quotes it, without its indentation ('' when it quotes none). */
  text: string
}

const FRAME_RE = /^\s*File "([^"]+)", line (\d+), in (.+)$/

/**
 * Whether a code file name is a notebook cell's: `<cell-N>` after the run's [n], or `<cell-N-R>`
 * when a caller repeated a count (resources/python/README.md, "Cell semantics").
 */
export const isCellFile = (file: string): boolean => /^<cell-\d+(?:-\d+)?>$/.test(file)

/**
 * Where an error was raised when that is inside a function another cell defined: the innermost frame
 * in notebook code, if it is not the running cell's own (its outermost frame). A compact error view
 * showing only the running cell's line would hide the line that failed, which JupyterLab's full
 * traceback shows. Null when the innermost notebook frame is the cell's own, or there are no frames.
 */
export function otherCellFrame(error: ErrorOutput): OtherCellFrame | null {
  const lines = tracebackLines(error).map((l) => l.text)
  const frames: OtherCellFrame[] = []
  for (const [i, line] of lines.entries()) {
    const m = FRAME_RE.exec(line)
    if (!m || !isCellFile(m[1]!)) continue
    const next = lines[i + 1] ?? ''
    const quoted = !FRAME_RE.test(next) && /^\s{4,}\S/.test(next)
    frames.push({ file: m[1]!, line: Number(m[2]), name: m[3]!, text: quoted ? next.trim() : '' })
  }
  const own = frames[0]
  const inner = frames[frames.length - 1]
  return own && inner && inner.file !== own.file ? inner : null
}

/**
 * The notebook cell an `otherCellFrame` is in, found by its text, never guessed: the one cell whose
 * source has the quoted line at that line number (and, in a function, defines that function's name
 * above it). A `<cell-N>` name gives the [n] of the run that defined the code, which the cell leaves
 * when it runs again or is edited, so the text decides.
 */
export function cellOfFrame<C extends { source: string }>(
  frame: OtherCellFrame,
  cells: readonly C[]
): C | null {
  if (frame.text === '') return null
  const own = frame.name.split('.').pop() ?? frame.name
  const defines = new RegExp(
    `^\\s*(?:async\\s+def|def|class)\\s+${own.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`
  )
  const found = cells.filter((cell) => {
    const lines = cell.source.split('\n')
    if (lines[frame.line - 1]?.trim() !== frame.text) return false
    return own.startsWith('<') || lines.slice(0, frame.line).some((l) => defines.test(l))
  })
  return found.length === 1 ? found[0]! : null
}
