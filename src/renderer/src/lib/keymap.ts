/**
 * Command-mode key handling: turns keydown events into actions, with Jupyter's two-key sequences
 * ('D D', 'I I', '0 0'). Pure (no DOM) so it is unit-tested; the notebook view feeds it events.
 */
import { ACTIONS, type ActionId, type Mode } from './actions'

export interface KeyLike {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock'])

/** Canonical chord name of an event: "Mod+Shift+P", "Shift+J", "A", "Enter", "ArrowUp". */
export function chordOf(e: KeyLike, isMac: boolean): string | null {
  if (MODIFIER_KEYS.has(e.key)) return null
  const mod = isMac ? e.metaKey : e.ctrlKey
  const parts: string[] = []
  if (mod) parts.push('Mod')
  if (isMac && e.ctrlKey) parts.push('Ctrl')
  if (!isMac && e.metaKey) parts.push('Meta')
  if (e.altKey) parts.push('Alt')
  if (e.shiftKey) parts.push('Shift')
  let key = e.key
  if (key === '_' && e.shiftKey) key = '-'
  if (key.length === 1) key = key.toUpperCase()
  if (key === ' ') key = 'Space'
  parts.push(key)
  return parts.join('+')
}

export type KeyResult = { kind: 'action'; action: ActionId } | { kind: 'pending' } | { kind: 'none' }

/** Resolves chords to actions for one mode, remembering the first key of a sequence for `windowMs`. */
export class KeySequencer {
  private pending: { chord: string; at: number } | null = null
  private readonly bindings = new Map<string, ActionId>()
  private readonly prefixes = new Set<string>()

  constructor(
    mode: Mode,
    private readonly windowMs = 1000
  ) {
    for (const action of ACTIONS) {
      for (const keys of action[mode] ?? []) {
        this.bindings.set(keys, action.id)
        const chords = keys.split(' ')
        if (chords.length > 1) this.prefixes.add(chords[0]!)
      }
    }
  }

  feed(chord: string, now: number): KeyResult {
    const pending = this.pending
    this.pending = null
    if (pending && now - pending.at <= this.windowMs) {
      const action = this.bindings.get(`${pending.chord} ${chord}`)
      if (action) return { kind: 'action', action }
    }
    if (this.prefixes.has(chord)) {
      this.pending = { chord, at: now }
      return { kind: 'pending' }
    }
    const action = this.bindings.get(chord)
    return action ? { kind: 'action', action } : { kind: 'none' }
  }

  reset(): void {
    this.pending = null
  }
}

export function isMacPlatform(platform: string): boolean {
  return /mac|darwin|iphone|ipad/i.test(platform)
}
