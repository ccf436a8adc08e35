/**
 * Wheels as files: the file-name convention (PEP 427 / binary distribution format), which tags
 * Fuelbook's runtime can load, and the METADATA inside (core metadata, read from the zip).
 */
import { unzipSync } from 'fflate'
import { normalizeName, parseRequirement, type Requirement } from './requirement'
import { errorMessage } from '../../shared/result'

export interface WheelName {
  /** As in the file name (escaped: `_` for `-`). */
  distribution: string
  key: string
  version: string
  /** Every python.abi.platform combination the file's compressed tag set expands to. */
  tags: { python: string; abi: string; platform: string }[]
}

/** Parses `name-version(-build)?-python-abi-platform.whl`; null when the name is not a wheel's. */
export function parseWheelFilename(filename: string): WheelName | null {
  if (!filename.endsWith('.whl')) return null
  const parts = filename.slice(0, -4).split('-')
  if (parts.length !== 5 && parts.length !== 6) return null
  const [distribution, version] = parts as [string, string]
  const [python, abi, platform] = parts.slice(-3) as [string, string, string]
  const tags = python
    .split('.')
    .flatMap((py) =>
      abi.split('.').flatMap((a) => platform.split('.').map((p) => ({ python: py, abi: a, platform: p })))
    )
  return { distribution, key: normalizeName(distribution), version, tags }
}

/**
 * Pure-Python wheels a CPython 3.11 can import: platform `any`, ABI `none`, and a Python tag of
 * Python 3 up to 3.11 (`py3`, `py311`, `cp311`…). Everything else holds compiled code for some
 * other platform (manylinux, macOS, Windows, Emscripten) and cannot run in the WASI sandbox.
 */
export function isLoadableWheel(name: WheelName): boolean {
  return name.tags.some((t) => t.platform === 'any' && t.abi === 'none' && pythonTagFits(t.python))
}

function pythonTagFits(tag: string): boolean {
  const m = /^(py|cp)(\d)(\d*)$/.exec(tag)
  if (!m || m[2] !== '3') return false
  return m[3] === '' ? m[1] === 'py' : Number(m[3]) <= 11
}

/** The platforms a set of compiled wheels targets, in words ("Linux", "macOS", "Windows"…). */
export function describePlatforms(names: WheelName[]): string[] {
  const found = new Set<string>()
  for (const name of names) {
    for (const { platform } of name.tags) {
      if (/^(many|musl)?linux/.test(platform)) found.add('Linux')
      else if (platform.startsWith('macosx')) found.add('macOS')
      else if (platform.startsWith('win')) found.add('Windows')
      else if (/^(emscripten|pyodide)/.test(platform)) found.add('Pyodide (Emscripten)')
      else if (platform !== 'any') found.add(platform)
    }
  }
  return [...found]
}

export interface WheelMetadata {
  name: string
  key: string
  version: string
  requiresPython: string
  requiresDist: Requirement[]
  providesExtra: string[]
}

/** Parses a METADATA file (RFC 822 style headers; the body after the blank line is ignored). */
export function parseMetadata(text: string): WheelMetadata {
  const headers = new Map<string, string[]>()
  let last: string | null = null
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break
    if (/^[ \t]/.test(line) && last !== null) {
      const values = headers.get(last)!
      values[values.length - 1] += ` ${line.trim()}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    last = line.slice(0, colon).trim().toLowerCase()
    const values = headers.get(last) ?? []
    values.push(line.slice(colon + 1).trim())
    headers.set(last, values)
  }
  const one = (key: string): string => headers.get(key)?.[0] ?? ''
  const name = one('name')
  const version = one('version')
  if (name === '' || version === '') throw new Error('METADATA has no Name or Version')
  return {
    name,
    key: normalizeName(name),
    version,
    requiresPython: one('requires-python').replace(/\s+/g, ''),
    requiresDist: (headers.get('requires-dist') ?? []).map((r) => parseRequirement(r)),
    providesExtra: (headers.get('provides-extra') ?? []).map(normalizeName)
  }
}

/** Reads `<name>.dist-info/METADATA` out of a wheel's bytes; throws with the reason when it is not a wheel. */
export function readWheelMetadata(wheel: Uint8Array): WheelMetadata {
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(wheel, {
      filter: (file) => /^[^/]+\.dist-info\/METADATA$/.test(file.name)
    })
  } catch (error) {
    throw new Error(`not a zip archive (${errorMessage(error)})`, {
      cause: error
    })
  }
  const entry = Object.values(files)[0]
  if (entry === undefined) throw new Error('the archive has no *.dist-info/METADATA')
  return parseMetadata(new TextDecoder().decode(entry))
}
