/**
 * KaTeX and its stylesheet (with fonts), loaded once, on the first formula: most notebooks never
 * need them. Used by markdown cells and text/latex outputs alike.
 */
import type katex from 'katex'
import type { KatexOptions } from 'katex'

type Katex = typeof katex

let loading: Promise<Katex> | null = null
let loaded: Katex | null = null

export function loadKatex(): Promise<Katex> {
  loading ??= Promise.all([import('katex'), import('katex/dist/katex.min.css')]).then(([m]) => {
    loaded = m.default
    return m.default
  })
  return loading
}

/** KaTeX once it has loaded, else null. */
export function katexIfLoaded(): Katex | null {
  return loaded
}

/** KaTeX escapes its input and emits only its own markup; trust stays off (no \href, \url, \includegraphics). */
export const KATEX_OPTIONS: KatexOptions = { throwOnError: true, trust: false, output: 'htmlAndMathml' }
