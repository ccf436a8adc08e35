import { describe, expect, it } from 'vitest'
import { ACTIONS, displayKeys, toCodeMirrorKey } from '../../src/renderer/src/lib/actions'
import { KeySequencer, chordOf, isMacPlatform, type KeyLike } from '../../src/renderer/src/lib/keymap'
import { filterActions } from '../../src/renderer/src/lib/palette'
import {
  clampIndex,
  mergeSources,
  selectionRange,
  splitSource,
  withHeading
} from '../../src/renderer/src/lib/cell-ops'

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods
})

describe('chords', () => {
  it('names keys the way the action list writes them', () => {
    expect(chordOf(key('a'), false)).toBe('A')
    expect(chordOf(key('J', { shiftKey: true }), false)).toBe('Shift+J')
    expect(chordOf(key('Enter', { shiftKey: true }), false)).toBe('Shift+Enter')
    expect(chordOf(key('P', { ctrlKey: true, shiftKey: true }), false)).toBe('Mod+Shift+P')
    expect(chordOf(key('s', { metaKey: true }), true)).toBe('Mod+S')
    expect(chordOf(key('s', { ctrlKey: true }), true)).toBe('Ctrl+S')
    expect(chordOf(key('_', { ctrlKey: true, shiftKey: true }), false)).toBe('Mod+Shift+-')
    expect(chordOf(key('Shift', { shiftKey: true }), false)).toBeNull()
  })
  it('detects macOS', () => {
    expect(isMacPlatform('MacIntel')).toBe(true)
    expect(isMacPlatform('Linux x86_64')).toBe(false)
  })
})

describe('command mode keys (Jupyter)', () => {
  const cases: [string, string][] = [
    ['A', 'insert-above'],
    ['B', 'insert-below'],
    ['Z', 'undo-delete'],
    ['M', 'to-markdown'],
    ['Y', 'to-code'],
    ['R', 'to-raw'],
    ['J', 'select-down'],
    ['K', 'select-up'],
    ['ArrowDown', 'select-down'],
    ['ArrowUp', 'select-up'],
    ['Shift+J', 'extend-down'],
    ['Shift+K', 'extend-up'],
    ['C', 'copy'],
    ['X', 'cut'],
    ['V', 'paste-below'],
    ['Shift+V', 'paste-above'],
    ['Shift+M', 'merge'],
    ['Enter', 'edit-mode'],
    ['Shift+Enter', 'run-advance'],
    ['Mod+Enter', 'run'],
    ['Alt+Enter', 'run-insert'],
    ['Mod+S', 'save'],
    ['H', 'shortcuts'],
    ['Mod+Shift+P', 'palette']
  ]
  it.each(cases)('%s → %s', (chord, action) => {
    expect(new KeySequencer('command').feed(chord, 0)).toEqual({ kind: 'action', action })
  })
  it('needs D twice within the window to delete', () => {
    const seq = new KeySequencer('command', 1000)
    expect(seq.feed('D', 0)).toEqual({ kind: 'pending' })
    expect(seq.feed('D', 500)).toEqual({ kind: 'action', action: 'delete' })
    expect(seq.feed('D', 3000)).toEqual({ kind: 'pending' })
    expect(seq.feed('D', 4500)).toEqual({ kind: 'pending' })
    expect(seq.feed('J', 4600)).toEqual({ kind: 'action', action: 'select-down' })
    expect(seq.feed('D', 5000)).toEqual({ kind: 'pending' })
    expect(seq.feed('J', 5100)).toEqual({ kind: 'action', action: 'select-down' })
  })
  it('interrupts with I I and restarts with 0 0', () => {
    const seq = new KeySequencer('command')
    seq.feed('I', 0)
    expect(seq.feed('I', 10)).toEqual({ kind: 'action', action: 'interrupt' })
    seq.feed('0', 20)
    expect(seq.feed('0', 30)).toEqual({ kind: 'action', action: 'restart' })
  })
  it('binds each key once per mode', () => {
    for (const mode of ['command', 'edit'] as const) {
      const keys = ACTIONS.flatMap((a) => a[mode] ?? [])
      expect(new Set(keys).size).toBe(keys.length)
    }
  })
  it('edit mode keeps only notebook keys, not letters', () => {
    const seq = new KeySequencer('edit')
    expect(seq.feed('A', 0)).toEqual({ kind: 'none' })
    expect(seq.feed('Escape', 0)).toEqual({ kind: 'action', action: 'command-mode' })
    expect(seq.feed('Shift+Enter', 0)).toEqual({ kind: 'action', action: 'run-advance' })
  })
  it('shows keys per platform and converts them for CodeMirror', () => {
    expect(displayKeys('Mod+Shift+P', false)).toBe('Ctrl+Shift+P')
    expect(displayKeys('Mod+Shift+P', true)).toBe('⌘ShiftP')
    expect(displayKeys('D D', false)).toBe('D D')
    expect(toCodeMirrorKey('Mod+Shift+-')).toBe('Mod-Shift--')
    expect(toCodeMirrorKey('Shift+Enter')).toBe('Shift-Enter')
    expect(toCodeMirrorKey('Mod+Shift+P')).toBe('Mod-Shift-p')
    expect(toCodeMirrorKey('Mod+S')).toBe('Mod-s')
  })
})

describe('command palette', () => {
  it('lists every action for an empty query', () => {
    expect(filterActions(ACTIONS, '')).toHaveLength(ACTIONS.length)
  })
  it('ranks label matches first', () => {
    const r = filterActions(ACTIONS, 'run all')
    expect(r[0]!.id).toBe('run-all')
    expect(filterActions(ACTIONS, 'zzzz')).toEqual([])
    expect(filterActions(ACTIONS, 'markdown')[0]!.id).toBe('to-markdown')
  })
})

describe('cell operations', () => {
  it('merges with a blank line and splits at the cursor', () => {
    expect(mergeSources(['a = 1\n', 'b = 2'])).toBe('a = 1\n\nb = 2')
    expect(splitSource('a = 1\nb = 2', 6)).toEqual(['a = 1', 'b = 2'])
    expect(splitSource('abc', 99)).toEqual(['abc', ''])
  })
  it("turns a cell's text into a heading of a level, in place of the marks it had", () => {
    expect(withHeading('Results', 1)).toBe('# Results')
    expect(withHeading('## Results\nbody', 3)).toBe('### Results\nbody')
    expect(withHeading('  indented', 2)).toBe('## indented')
    expect(withHeading('', 6)).toBe('###### ')
  })
  it('orders selection ranges and clamps indexes', () => {
    expect(selectionRange(3, 1)).toEqual([1, 3])
    expect(clampIndex(-1, 5)).toBe(0)
    expect(clampIndex(9, 5)).toBe(4)
  })
})
