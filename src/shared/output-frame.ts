/**
 * The frame that runs a text/html output's scripts, in one place for both front doors (browser mode
 * serves it from a second port, the desktop shell from the `fuelbook-frame:` protocol).
 *
 * Three walls keep an output away from the app: the frame's origin is opaque (the iframe's
 * sandbox="allow-scripts", never allow-same-origin, and the same `sandbox` directive in the CSP
 * header, so the document is opaque even when something else frames or opens it), it is served from
 * another origin than the app (no cookie, no storage, no DOM in common), and its CSP
 * (`outputFrameCsp`, src/shared/csp.ts) lets nothing load over the network.
 *
 * The document served is a bootstrap that holds no output: it says "ready" to its parent, takes the
 * output's HTML from the parent's one message, writes it into itself (so inline scripts run in
 * order, as in Jupyter) and reports its height. Messages are checked for source and shape on both sides.
 */

import { OUTPUT_FRAME_SCHEME, outputFrameCsp } from './csp'

export const ELECTRON_OUTPUT_FRAME_URL = `${OUTPUT_FRAME_SCHEME}://output/`

export const FRAME_READY = 'fuelbook:frame-ready'
export const FRAME_CONTENT = 'fuelbook:frame-content'
export const FRAME_SIZE = 'fuelbook:frame-size'

const MAX_FRAME_HEIGHT = 5000

/** Response headers of the frame document (both front doors send these). */
export function outputFrameHeaders(frameAncestors: readonly string[] = []): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': outputFrameCsp(frameAncestors),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store'
  }
}

/** The output's typography, as in the notebook. */
const OUTPUT_STYLE = [
  ':root { color-scheme: light dark; }',
  'html, body { margin: 0; padding: 0; background: transparent; overflow: hidden; }',
  "body { font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
  'table { border-collapse: collapse; font-size: 13px; }',
  'th, td { border-bottom: 1px solid rgba(128,128,128,.3); padding: 4px 10px; text-align: right; }',
  'th { font-weight: 600; }',
  'img, svg { max-width: 100%; }'
].join(' ')

/**
 * The bootstrap, as a function so it is type-checked; it is serialised into the document with its
 * constants as arguments. Its closure survives document.open(), so the sizing keeps running over the
 * output's own document.
 */
function bootstrap(ready: string, content: string, size: string, style: string): void {
  function onContent(e: MessageEvent): void {
    const data = e.data as { type?: unknown; html?: unknown } | null
    if (e.source !== parent || !data || data.type !== content || typeof data.html !== 'string') return
    removeEventListener('message', onContent)
    document.open()
    document.write(
      `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"><style>${style}</style></head><body>` +
        data.html
    )
    document.close()
    let last = -1
    const report = (): void => {
      const height = Math.ceil(document.documentElement.scrollHeight)
      if (height === last) return
      last = height
      parent.postMessage({ type: size, height }, '*')
    }
    addEventListener('load', report)
    new ResizeObserver(report).observe(document.documentElement)
    report()
  }
  addEventListener('message', onContent)
  parent.postMessage({ type: ready }, '*')
}

/** The document served at the frame URL: the bootstrap and nothing else. */
export function outputFrameDocument(): string {
  const args = [FRAME_READY, FRAME_CONTENT, FRAME_SIZE, OUTPUT_STYLE].map((a) => JSON.stringify(a)).join(',')
  const script = `(${bootstrap.toString()})(${args})`.replace(/<\//g, '<\\/')
  return `<!doctype html><html><head><meta charset="utf-8"></head><body><script>${script}</script></body></html>`
}

/** The parent's one message to the frame. */
export function frameContentMessage(html: string): { type: string; html: string } {
  return { type: FRAME_CONTENT, html }
}

/** What a frame may tell its parent; anything else is ignored. */
export type FrameMessage = { type: 'ready' } | { type: 'size'; height: number }

export function parseFrameMessage(data: unknown): FrameMessage | null {
  if (typeof data !== 'object' || data === null) return null
  const m = data as { type?: unknown; height?: unknown }
  if (m.type === FRAME_READY) return { type: 'ready' }
  if (m.type !== FRAME_SIZE || typeof m.height !== 'number' || !Number.isFinite(m.height)) return null
  return { type: 'size', height: Math.max(16, Math.min(MAX_FRAME_HEIGHT, Math.ceil(m.height))) }
}
