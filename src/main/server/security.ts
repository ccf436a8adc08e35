/**
 * Browser mode's gatekeeping, as pure functions. The server listens on 127.0.0.1 only, but any web page
 * the user visits can still send requests to localhost, so every request must also prove it comes from
 * our page: a random token (compared in constant time), a Host header naming our loopback address
 * (defeats DNS rebinding), and, for the WebSocket, an Origin that is our own.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path'
import { appCsp } from '../../shared/csp'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

/** The Host values our page can legitimately send: the loopback names with our port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return typeof host === 'string' && allowedHosts(port).has(host.toLowerCase())
}

/** A WebSocket from our own page carries an Origin of our own host; browsers always send it. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (typeof origin !== 'string') return false
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  return url.protocol === 'http:' && allowedHosts(port).has(url.host.toLowerCase())
}

/**
 * Headers of every app response. `outputFrameOrigin` is where text/html outputs' frames come from
 * (output-frame-server.ts); the page may frame that origin and nothing else from the network.
 */
export function securityHeaders(outputFrameOrigin: string | null): Record<string, string> {
  return {
    'Content-Security-Policy': appCsp({ kind: 'browser', outputFrameOrigin }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store'
  }
}

/**
 * Maps a URL path to a file inside `root`, or null when it would leave it (`..`, encoded slashes,
 * absolute paths, NUL bytes). Only the built renderer is ever served.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const segments = decoded.split('/').filter((s) => s.length > 0)
  if (segments.some((s) => s === '..' || s === '.')) return null
  const rel = segments.length === 0 ? 'index.html' : normalize(segments.join(sep))
  if (isAbsolute(rel)) return null
  const full = resolve(root, rel)
  const back = relative(root, full)
  if (back.startsWith('..') || isAbsolute(back)) return null
  return full
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json'
}

export function contentTypeFor(file: string): string {
  const dot = file.lastIndexOf('.')
  return TYPES[dot >= 0 ? file.slice(dot).toLowerCase() : ''] ?? 'application/octet-stream'
}
