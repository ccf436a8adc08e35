/**
 * The fuel heat gutter: beside each line of a profiled cell, a bar as long as the line's share of the
 * profiled fuel, its percentage, and on hover the figure (rows from lib/profile-view.ts). Line numbers
 * come with it, as the profile's table names lines. The hottest lines' text gets a faint tint too.
 * The marks follow edits made after the run (they map through changes), so a line keeps its heat
 * while the user fixes the line above it.
 */
import { RangeSet, StateField, type EditorState, type Extension } from '@codemirror/state'
import { Decoration, EditorView, gutter, GutterMarker, type DecorationSet } from '@codemirror/view'
import { formatPercent } from '../../../../shared/format'
import type { LineHeat } from '../profile-view'
import { lineNumberGutter } from './line-numbers'

/** Level from which a line's text is tinted as well as its gutter. */
const HOT_LEVEL = 4

class HeatMarker extends GutterMarker {
  constructor(readonly mark: LineHeat) {
    super()
  }

  override eq(other: GutterMarker): boolean {
    return (
      other instanceof HeatMarker &&
      other.mark.share === this.mark.share &&
      other.mark.level === this.mark.level &&
      other.mark.title === this.mark.title
    )
  }

  override toDOM(): Node {
    const el = document.createElement('div')
    el.className = 'cm-fuel-heat'
    el.dataset['level'] = String(this.mark.level)
    el.dataset['line'] = String(this.mark.line)
    el.title = this.mark.title
    const bar = el.appendChild(document.createElement('span'))
    bar.className = 'cm-fuel-heat-bar'
    bar.style.width = `max(2px, ${(this.mark.share * 100).toFixed(2)}%)`
    const label = el.appendChild(document.createElement('span'))
    label.className = 'cm-fuel-heat-share'
    label.textContent = this.mark.share >= 0.01 ? formatPercent(this.mark.share, 1) : ''
    return el
  }
}

const hotLine = Decoration.line({ class: 'cm-fuel-hot-line' })

interface HeatState {
  markers: RangeSet<GutterMarker>
  hot: DecorationSet
}

function build(state: EditorState, marks: readonly LineHeat[]): HeatState {
  const doc = state.doc
  const inDoc = marks.filter((m) => m.line >= 1 && m.line <= doc.lines).sort((a, b) => a.line - b.line)
  return {
    markers: RangeSet.of(inDoc.map((m) => new HeatMarker(m).range(doc.line(m.line).from))),
    hot: Decoration.set(
      inDoc.filter((m) => m.level >= HOT_LEVEL).map((m) => hotLine.range(doc.line(m.line).from))
    )
  }
}

const theme = EditorView.baseTheme({
  '.cm-gutters': {
    background: 'transparent',
    border: 'none',
    color: 'var(--faint)'
  },
  '.cm-fuel-heat-gutter': { width: '58px' },
  '.cm-fuel-heat': {
    position: 'relative',
    height: '100%',
    margin: '0 6px 0 4px',
    fontSize: '10.5px',
    textAlign: 'right',
    fontVariantNumeric: 'tabular-nums',
    color: 'var(--muted)'
  },
  '.cm-fuel-heat-bar': {
    position: 'absolute',
    left: '0',
    top: '20%',
    bottom: '20%',
    borderRadius: '2px',
    background: 'light-dark(#f4a36b, #8a4a1c)'
  },
  '.cm-fuel-heat[data-level="2"] .cm-fuel-heat-bar, .cm-fuel-heat[data-level="3"] .cm-fuel-heat-bar': {
    background: 'light-dark(#ea7a32, #c2611f)'
  },
  '.cm-fuel-heat[data-level="4"] .cm-fuel-heat-bar': { background: 'light-dark(#c94a0c, #ff8a3d)' },
  '.cm-fuel-heat-share': { position: 'relative', padding: '0 2px', borderRadius: '2px' },
  '.cm-fuel-heat[data-level="4"] .cm-fuel-heat-share': {
    color: 'var(--text)',
    fontWeight: '600',
    background: 'var(--bg-input)'
  },
  '.cm-fuel-hot-line': { background: 'light-dark(rgba(233, 110, 30, 0.1), rgba(255, 138, 61, 0.12))' }
})

const heatField = StateField.define<HeatState>({
  create: () => ({ markers: RangeSet.empty, hot: Decoration.none }),
  update: (value, tr) =>
    tr.docChanged ? { markers: value.markers.map(tr.changes), hot: value.hot.map(tr.changes) } : value,
  provide: (field) => EditorView.decorations.from(field, (value) => value.hot)
})

/** The gutter, line numbers and hot-line tint for these marks; an empty list shows nothing. */
export function fuelHeatGutter(marks: readonly LineHeat[]): Extension {
  if (marks.length === 0) return []
  return [
    heatField.init((state) => build(state, marks)),
    lineNumberGutter,
    gutter({
      class: 'cm-fuel-heat-gutter',
      markers: (view) => view.state.field(heatField).markers
    }),
    theme
  ]
}

/** The lines that carry a heat mark now (after any edits), with their marks: what the gutter draws. */
export function heatMarksIn(state: EditorState): { line: number; mark: LineHeat }[] {
  const found: { line: number; mark: LineHeat }[] = []
  const value = state.field(heatField, false)
  if (!value) return found
  for (let it = value.markers.iter(); it.value !== null; it.next()) {
    if (it.value instanceof HeatMarker)
      found.push({ line: state.doc.lineAt(it.from).number, mark: it.value.mark })
  }
  return found
}
