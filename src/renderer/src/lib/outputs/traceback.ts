/**
 * Tracebacks shown with the cell's own line numbers: the frames of the cell (CPython names the
 * source "<cell>" or similar) are marked so the view can highlight the failing line.
 */
import type { ErrorOutput } from '../../../../shared/notebook'
import { stripAnsi } from './ansi'

export interface TracebackLine {
  text: string
  /** A `File "<…>", line N` frame header that points into this cell. */
  cellLine: number | null
}

const FRAME_RE = /^\s*File "(<[^>]*>)", line (\d+)/

export function tracebackLines(error: ErrorOutput): TracebackLine[] {
  const text = error.traceback.map(stripAnsi).join('\n')
  return text.split('\n').map((line) => {
    const m = FRAME_RE.exec(line)
    return { text: line, cellLine: m && m[1] !== '<frozen' ? Number(m[2]) : null }
  })
}

/** The line of the cell to highlight: the output's own lineno, else the last cell frame. */
export function failingLine(error: ErrorOutput): number | null {
  if (typeof error.lineno === 'number' && error.lineno > 0) return error.lineno
  const frames = tracebackLines(error).filter((l) => l.cellLine !== null)
  return frames.length ? frames[frames.length - 1]!.cellLine : null
}

/** A few lines of source around `line` (1-based) for the traceback view. */
export function sourceExcerpt(
  source: string,
  line: number,
  context = 2
): { n: number; text: string; hit: boolean }[] {
  const lines = source.split('\n')
  const from = Math.max(1, line - context)
  const to = Math.min(lines.length, line + context)
  const out: { n: number; text: string; hit: boolean }[] = []
  for (let n = from; n <= to; n++) out.push({ n, text: lines[n - 1] ?? '', hit: n === line })
  return out
}
