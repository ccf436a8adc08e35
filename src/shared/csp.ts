/**
 * Every Content-Security-Policy Fuelbook sends or writes, in one place:
 * - the app page, under the header of the door it came through (the desktop shell's session,
 *   browser mode's server) and under the renderer's index.html meta, which the build writes from
 *   `appMetaCsp` (electron.vite.config.ts) so it cannot drift from the headers;
 * - the frame that runs text/html outputs' scripts (src/shared/output-frame.ts serves it);
 * - the HTML report and the frames of its HTML outputs (src/main/export/).
 *
 * A page under two policies obeys both, so the meta must allow whatever either door's header
 * allows; the header is the door's real wall (and the only place `frame-ancestors` counts).
 */

/** The desktop shell's scheme that serves the output frame (src/shared/output-frame.ts). */
export const OUTPUT_FRAME_SCHEME = 'fuelbook-frame'

/** Browser mode's page and its output frame are served on loopback only (src/main/server/). */
const LOOPBACK_HTTP = 'http://127.0.0.1:*'
const LOOPBACK_WEBSOCKETS = ['ws://127.0.0.1:*', 'ws://localhost:*']

type Directive = readonly [name: string, ...sources: string[]]

function policy(directives: readonly Directive[]): string {
  return directives.map((directive) => directive.join(' ')).join('; ')
}

/** The door the app page came through, and where its output frames come from. */
export type AppDoor =
  | { kind: 'desktop' }
  /** `outputFrameOrigin`: browser mode's second origin (its frame server), when there is one. */
  | { kind: 'browser'; outputFrameOrigin: string | null }

function appDirectives(frameSources: string[], connectSources: string[]): Directive[] {
  return [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    // CodeMirror and Svelte add style elements and attributes at run time.
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'", 'data:'],
    ['frame-src', "'self'", 'blob:', 'data:', ...frameSources],
    ['connect-src', "'self'", ...connectSources],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"]
  ]
}

/** The app page's policy as its door's response header sends it. */
export function appCsp(door: AppDoor): string {
  if (door.kind === 'desktop') return policy(appDirectives([`${OUTPUT_FRAME_SCHEME}:`], []))
  const frames = door.outputFrameOrigin === null ? [] : [door.outputFrameOrigin]
  // Browser mode talks to the service over a WebSocket on loopback ('self' covers ws: only in CSP3 browsers).
  return policy([...appDirectives(frames, LOOPBACK_WEBSOCKETS), ['frame-ancestors', "'none'"]])
}

/**
 * The renderer's index.html meta: what either door may allow (the desktop's frame scheme, browser
 * mode's loopback frame server and WebSocket), so the meta never blocks what a header allows.
 */
export function appMetaCsp(): string {
  return policy(appDirectives([`${OUTPUT_FRAME_SCHEME}:`, LOOPBACK_HTTP], LOOPBACK_WEBSOCKETS))
}

/**
 * The output frame's policy: nothing loads over the network; scripts, styles, images and fonts
 * come only inline or from data:/blob: URLs; the document is sandboxed (opaque origin) even when
 * something else frames or opens it. `frameAncestors` lists the origins allowed to embed it
 * (browser mode knows its own); without it any embedder may, which changes nothing about what the
 * frame can reach.
 */
export function outputFrameCsp(frameAncestors: readonly string[] = []): string {
  const local = ["'unsafe-inline'", 'data:', 'blob:']
  return policy([
    ['default-src', "'none'"],
    // 'unsafe-eval': plotting libraries (vega, plotly) compile expressions with Function(); eval loads nothing.
    ['script-src', ...local, "'unsafe-eval'"],
    ['style-src', ...local],
    ['img-src', 'data:', 'blob:'],
    ['font-src', 'data:', 'blob:'],
    ['media-src', 'data:', 'blob:'],
    ['connect-src', 'data:', 'blob:'],
    ['worker-src', 'blob:'],
    ['frame-src', "'none'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ...(frameAncestors.length > 0 ? [['frame-ancestors', ...frameAncestors] as const] : []),
    ['sandbox', 'allow-scripts']
  ])
}

/**
 * The HTML report: nothing may load or run; srcdoc frames inherit this policy, so its HTML outputs
 * are bound by it too. Images, fonts and media (an `Audio` output's sound) come only from data:
 * URLs inside the file.
 */
export const REPORT_CSP = policy([
  ['default-src', "'none'"],
  ['style-src', "'unsafe-inline'"],
  ['img-src', 'data:'],
  ['font-src', 'data:'],
  ['media-src', 'data:'],
  ['frame-src', "'self'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"]
])

/** A report's HTML output frame: nothing loads, nothing runs (the report's policy applies to srcdoc frames too). */
export const REPORT_HTML_OUTPUT_CSP = policy([
  ['default-src', "'none'"],
  ['style-src', "'unsafe-inline'"],
  ['img-src', 'data:'],
  ['font-src', 'data:'],
  ['media-src', 'data:']
])
