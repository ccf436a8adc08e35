/**
 * Builds real wheel files in memory (zip with *.dist-info/METADATA, WHEEL and RECORD), as a build
 * backend would, and serves them from a real PEP 691 index on 127.0.0.1 (package-index.ts).
 */
import { createHash } from 'node:crypto'
import { zipSync, strToU8 } from 'fflate'

export interface WheelSpec {
  name: string
  version: string
  /** Requires-Dist lines, e.g. `dep>=1; extra == "fast"`. */
  requires?: string[]
  extras?: string[]
  requiresPython?: string
  /** Wheel tag, default py3-none-any. */
  tag?: string
  /** The METADATA Summary line. */
  summary?: string
  /** Files of the package, by path inside the wheel (e.g. `tiny/__init__.py`). */
  files: Record<string, string | Uint8Array>
}

export interface BuiltWheel {
  filename: string
  bytes: Uint8Array
  sha256: string
  metadata: string
}

export function wheelFilename(spec: Pick<WheelSpec, 'name' | 'version' | 'tag'>): string {
  return `${spec.name.replace(/[-.]+/g, '_')}-${spec.version}-${spec.tag ?? 'py3-none-any'}.whl`
}

export function buildWheel(spec: WheelSpec): BuiltWheel {
  const distInfo = `${spec.name.replace(/[-.]+/g, '_')}-${spec.version}.dist-info`
  const metadata = [
    'Metadata-Version: 2.1',
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    ...(spec.summary ? [`Summary: ${spec.summary}`] : []),
    ...(spec.requiresPython ? [`Requires-Python: ${spec.requiresPython}`] : []),
    ...(spec.extras ?? []).map((e) => `Provides-Extra: ${e}`),
    ...(spec.requires ?? []).map((r) => `Requires-Dist: ${r}`),
    '',
    `A test package built by test/helpers/wheels.ts.`,
    ''
  ].join('\n')
  const tag = spec.tag ?? 'py3-none-any'
  const wheelFile = `Wheel-Version: 1.0\nGenerator: fuelbook-test\nRoot-Is-Purelib: ${tag.endsWith('any')}\nTag: ${tag}\n`
  const entries: Record<string, Uint8Array> = {}
  for (const [path, content] of Object.entries(spec.files))
    entries[path] = typeof content === 'string' ? strToU8(content) : content
  entries[`${distInfo}/METADATA`] = strToU8(metadata)
  entries[`${distInfo}/WHEEL`] = strToU8(wheelFile)
  const record = Object.entries(entries)
    .map(([path, data]) => `${path},sha256=${urlsafeHash(data)},${data.byteLength}`)
    .concat(`${distInfo}/RECORD,,`)
    .join('\n')
  entries[`${distInfo}/RECORD`] = strToU8(record + '\n')
  const bytes = zipSync(entries, { level: 6, mtime: new Date('2024-01-01T00:00:00Z') })
  return {
    filename: wheelFilename(spec),
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    metadata
  }
}

function urlsafeHash(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url')
}
