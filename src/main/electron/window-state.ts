/**
 * The size and position of the last notebook window, remembered across launches in a small JSON file in
 * userData (written atomically: temp file + rename, so a crash never leaves half a file). Placement is
 * pure and unit tested: a saved position that is no longer on any display (monitor unplugged) is
 * dropped, and a second window cascades instead of hiding exactly on top of the first.
 */
import fs from 'node:fs'
import path from 'node:path'

export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export interface WindowState {
  bounds: Bounds
  maximized: boolean
}

export interface Placement {
  /** x/y absent = let the OS centre the window. */
  bounds: { width: number; height: number; x?: number; y?: number }
  maximized: boolean
}

export const DEFAULT_SIZE = { width: 1280, height: 900 }
export const MIN_SIZE = { width: 640, height: 400 }
export const WINDOW_STATE_FILE = 'window-state.json'

/** Offset of each cascaded window, as most desktop apps do. */
const CASCADE = 28
/** A saved window must show at least this much of itself on a display to be restored there. */
const MIN_VISIBLE = { width: 160, height: 80 }

function isFiniteInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < 1e6
}

/** Null for anything that is not a well-formed state (hand-edited, truncated, older format). */
export function parseWindowState(text: string): WindowState | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { bounds, maximized } = value as { bounds?: Partial<Bounds>; maximized?: unknown }
  if (!bounds || typeof bounds !== 'object') return null
  const { x, y, width, height } = bounds
  if (![x, y, width, height].every(isFiniteInt)) return null
  if (width! < 1 || height! < 1) return null
  return {
    bounds: { x: Math.round(x!), y: Math.round(y!), width: Math.round(width!), height: Math.round(height!) },
    maximized: maximized === true
  }
}

function overlap(a: Bounds, b: Bounds): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  }
}

/**
 * Where a new window goes: the saved bounds if still on a display (shrunk to fit it), else the default
 * size centred; then moved down-right past any open window at the same spot.
 */
export function placeWindow(
  saved: WindowState | null,
  workAreas: readonly Bounds[],
  open: readonly Bounds[]
): Placement {
  const area = saved
    ? workAreas.find((a) => {
        const o = overlap(saved.bounds, a)
        return o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height
      })
    : undefined
  if (!saved || !area) {
    const primary = workAreas[0]
    const size = primary
      ? {
          width: Math.min(DEFAULT_SIZE.width, primary.width),
          height: Math.min(DEFAULT_SIZE.height, primary.height)
        }
      : { ...DEFAULT_SIZE }
    if (open.length === 0 || !primary) return { bounds: size, maximized: false }
    // Centre, then cascade away from the windows already there.
    const start = {
      x: primary.x + Math.round((primary.width - size.width) / 2),
      y: primary.y + Math.round((primary.height - size.height) / 2),
      ...size
    }
    return { bounds: cascade(start, primary, open), maximized: false }
  }
  const width = Math.max(MIN_SIZE.width, Math.min(saved.bounds.width, area.width))
  const height = Math.max(MIN_SIZE.height, Math.min(saved.bounds.height, area.height))
  const x = Math.min(Math.max(saved.bounds.x, area.x), area.x + area.width - width)
  const y = Math.min(Math.max(saved.bounds.y, area.y), area.y + area.height - height)
  return {
    bounds: cascade({ x, y, width, height }, area, open),
    maximized: saved.maximized && open.length === 0
  }
}

function cascade(start: Bounds, area: Bounds, open: readonly Bounds[]): Bounds {
  let b = { ...start }
  for (let i = 0; i < 50 && open.some((o) => Math.abs(o.x - b.x) < 8 && Math.abs(o.y - b.y) < 8); i++) {
    b = { ...b, x: b.x + CASCADE, y: b.y + CASCADE }
    // Off the bottom-right: wrap to the area's top-left corner, as a stack of cascaded windows does.
    if (b.x + b.width > area.x + area.width || b.y + b.height > area.y + area.height)
      b = { ...b, x: area.x, y: area.y }
  }
  return b
}

export function loadWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(fs.readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

/** Atomic replace: readers see the old file or the new one, never a partial write. */
export function saveWindowState(file: string, state: WindowState): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
    fs.renameSync(tmp, file)
  } catch {
    // Remembering the window is a nicety: a read-only profile must not break closing a window.
    fs.rmSync(tmp, { force: true })
  }
}
