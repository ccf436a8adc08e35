#!/usr/bin/env node
// Draws Fuelbook's icons from a few vector shapes, in plain Node (no image tools needed), and writes every
// format the installers take: PNGs (Linux, 16–1024 px), .ico (Windows, PNG-compressed entries) and .icns
// (macOS, PNG entries). Each size is rendered from the shapes, not scaled from a big bitmap, so 16 px
// stays crisp. Re-run after changing a shape: node resources/icons/make-icons.mjs
//
//   icon.*           the app: a notebook page with a fuel gauge, on a teal tile
//   fuelbook-doc.*   a .fuelbook document: a page with a folded corner, the gauge and cell lines
import fs from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))

// ── shapes: inside(x, y) on the unit square, and a colour ─────────────────────────────────────────────
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), 255]

function roundRect(x0, y0, x1, y1, r) {
  return (x, y) => {
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r))
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r))
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r
  }
}
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r
/** A thick line with round ends. */
function capsule(ax, ay, bx, by, t) {
  return (x, y) => {
    const vx = bx - ax
    const vy = by - ay
    const k = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)))
    return (x - ax - k * vx) ** 2 + (y - ay - k * vy) ** 2 <= (t / 2) ** 2
  }
}
/** A ring segment from angle a0 to a1 (degrees, 0 = right, clockwise on screen since y points down). */
function arc(cx, cy, r, t, a0, a1) {
  return (x, y) => {
    const d = Math.hypot(x - cx, y - cy)
    if (d < r - t / 2 || d > r + t / 2) return false
    let a = (Math.atan2(y - cy, x - cx) * 180) / Math.PI
    if (a < 0) a += 360
    return a >= a0 && a <= a1
  }
}
const and = (a, b) => (x, y) => a(x, y) && b(x, y)
const not = (a) => (x, y) => !a(x, y)
const polar = (cx, cy, r, deg) => [cx + r * Math.cos((deg * Math.PI) / 180), cy + r * Math.sin((deg * Math.PI) / 180)]

const TEAL_TOP = hex('#14b8a6')
const TEAL_BOTTOM = hex('#0f3d56')
const ORANGE = hex('#f97316')
const INK = hex('#0f172a')
const SLATE = hex('#475569')

/** The gauge: an orange arc over the top half, a needle at about two thirds, a hub. */
function gauge(cx, cy, r, t) {
  const [nx, ny] = polar(cx, cy, r * 0.92, 305)
  return [
    { inside: arc(cx, cy, r, t, 180, 360), color: ORANGE },
    { inside: capsule(cx, cy, nx, ny, t * 0.62), color: INK },
    { inside: circle(cx, cy, t * 0.75), color: INK }
  ]
}

const APP = [
  {
    inside: roundRect(0.06, 0.06, 0.94, 0.94, 0.2),
    color: (_x, y) => TEAL_TOP.map((c, i) => Math.round(c + (TEAL_BOTTOM[i] - c) * y))
  },
  { inside: roundRect(0.24, 0.18, 0.76, 0.84, 0.05), color: hex('#ffffff') },
  ...gauge(0.5, 0.46, 0.17, 0.06),
  { inside: capsule(0.33, 0.6, 0.67, 0.6, 0.04), color: SLATE },
  { inside: capsule(0.33, 0.68, 0.6, 0.68, 0.04), color: SLATE },
  { inside: capsule(0.33, 0.76, 0.52, 0.76, 0.04), color: SLATE }
]

const FOLD = 0.2
const pageOutline = roundRect(0.16, 0.05, 0.84, 0.95, 0.04)
const cut = (x, y) => x - (0.84 - FOLD) > y - 0.05 // above the fold's diagonal
const DOC = [
  { inside: and(pageOutline, not(cut)), color: hex('#cbd5e1') },
  { inside: and(roundRect(0.18, 0.07, 0.82, 0.93, 0.03), not((x, y) => x - (0.84 - FOLD) > y - 0.05 - 0.03)), color: hex('#ffffff') },
  {
    // The folded-over corner.
    inside: (x, y) => x >= 0.84 - FOLD && y <= 0.05 + FOLD && x - (0.84 - FOLD) <= y - 0.05 && x <= 0.84,
    color: hex('#94a3b8')
  },
  ...gauge(0.5, 0.44, 0.17, 0.06),
  { inside: roundRect(0.28, 0.56, 0.72, 0.86, 0.03), color: (_x, y) => TEAL_TOP.map((c, i) => Math.round(c + (TEAL_BOTTOM[i] - c) * (y - 0.56) * 3)) },
  { inside: capsule(0.35, 0.65, 0.65, 0.65, 0.035), color: hex('#ffffff') },
  { inside: capsule(0.35, 0.72, 0.58, 0.72, 0.035), color: hex('#ffffff') },
  { inside: capsule(0.35, 0.79, 0.5, 0.79, 0.035), color: hex('#ffffff') }
]

// ── rasteriser: supersampled coverage, composited front to back ──────────────────────────────────────
function render(shapes, size) {
  const n = size <= 64 ? 6 : size <= 256 ? 4 : 3
  const rgba = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size
          const y = (py + (sy + 0.5) / n) / size
          let color = null
          for (let i = shapes.length - 1; i >= 0; i--) {
            const s = shapes[i]
            if (s.inside(x, y)) {
              color = typeof s.color === 'function' ? s.color(x, y) : s.color
              break
            }
          }
          if (color) {
            r += color[0]
            g += color[1]
            b += color[2]
            a += 1
          }
        }
      }
      const o = (py * size + px) * 4
      if (a > 0) {
        rgba[o] = Math.round(r / a)
        rgba[o + 1] = Math.round(g / a)
        rgba[o + 2] = Math.round(b / a)
        rgba[o + 3] = Math.round((255 * a) / (n * n))
      }
    }
  }
  return rgba
}

// ── file formats ─────────────────────────────────────────────────────────────────────────────────────
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
function png(rgba, size) {
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}
/** Windows .ico with PNG entries (supported since Vista). */
function ico(pngs) {
  const head = Buffer.alloc(6 + 16 * pngs.length)
  head.writeUInt16LE(1, 2)
  head.writeUInt16LE(pngs.length, 4)
  let offset = head.length
  pngs.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i
    head[e] = size >= 256 ? 0 : size
    head[e + 1] = size >= 256 ? 0 : size
    head.writeUInt16LE(1, e + 4)
    head.writeUInt16LE(32, e + 6)
    head.writeUInt32LE(data.length, e + 8)
    head.writeUInt32LE(offset, e + 12)
    offset += data.length
  })
  return Buffer.concat([head, ...pngs.map((p) => p.data)])
}
/** macOS .icns with PNG entries. */
const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' }
function icns(pngs) {
  const entries = pngs
    .filter((p) => ICNS_TYPES[p.size])
    .map(({ size, data }) => {
      const h = Buffer.alloc(8)
      h.write(ICNS_TYPES[size], 0, 'ascii')
      h.writeUInt32BE(data.length + 8, 4)
      return Buffer.concat([h, data])
    })
  const h = Buffer.alloc(8)
  h.write('icns', 0, 'ascii')
  h.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4)
  return Buffer.concat([h, ...entries])
}

function write(name, shapes) {
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
  const pngs = sizes.map((size) => ({ size, data: png(render(shapes, size), size) }))
  const dir = join(here, `${name}-png`)
  fs.mkdirSync(dir, { recursive: true })
  for (const p of pngs) if (p.size <= 512) fs.writeFileSync(join(dir, `${p.size}x${p.size}.png`), p.data)
  fs.writeFileSync(join(here, `${name}.png`), pngs.find((p) => p.size === 1024).data)
  fs.writeFileSync(join(here, `${name}.ico`), ico(pngs.filter((p) => p.size <= 256)))
  fs.writeFileSync(join(here, `${name}.icns`), icns(pngs))
  console.log(`resources/icons: ${name}.png (1024), ${name}.ico, ${name}.icns, ${name}-png/`)
}

write('icon', APP)
write('fuelbook-doc', DOC)
