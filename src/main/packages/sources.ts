/**
 * Where wheels come from (the I/O edge of packages/): the notebook's own stored wheels, a package
 * index speaking the simple repository API in its JSON form (PEP 691, with PEP 658/714 metadata
 * files when offered), folders of wheels ("wheelhouses") and single .whl files. Every download is
 * checked against the index's sha256 before anything else reads it.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { sortVersionsDescending } from './requirement'
import { PackageError, type Candidate, type CandidateSource } from './resolver'
import {
  describePlatforms,
  isLoadableWheel,
  parseMetadata,
  parseWheelFilename,
  readWheelMetadata,
  type WheelMetadata,
  type WheelName
} from './wheel'

/** What Fuelbook's runtime holds besides the standard library (none yet): named in refusals. */
export const RUNTIME_INCLUDES = 'the Python standard library only'

const PEP691_ACCEPT = 'application/vnd.pypi.simple.v1+json'

/** A wheel the notebook stores. */
export interface StoredWheel {
  key: string
  name: string
  version: string
  filename: string
  sha256: string
  /** Bytes of the wheel file. */
  size: number
  /** Read on demand (they can be megabytes). */
  bytes(): Uint8Array
}

/** A file the index or a wheelhouse offers. */
interface OfferedFile {
  filename: string
  /** URL (index) or absolute path (wheelhouse, .whl argument). */
  location: string
  local: boolean
  sha256: string | null
  requiresPython: string
  yanked: boolean
  /** PEP 658: `<url>.metadata` holds the wheel's METADATA (with this hash when given). */
  metadata: { sha256: string | null } | null
}

export interface SourceOptions {
  stored: StoredWheel[]
  /** null: no index (--no-index, or offline use). */
  indexUrl: string | null
  findLinks: string[]
  /** .whl files named directly. */
  wheelFiles: string[]
  /** -U: prefer the newest version over the one the notebook stores. */
  upgrade: boolean
  fetch?: typeof fetch
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export class WheelSources implements CandidateSource {
  private readonly storedWheels = new Map<string, StoredWheel>()
  private readonly offered = new Map<string, Promise<OfferedFile[]>>()
  private readonly files = new Map<string, OfferedFile>()
  private readonly downloads = new Map<string, Promise<Uint8Array>>()
  private readonly metadataCache = new Map<string, Promise<WheelMetadata>>()
  private localWheels: Promise<OfferedFile[]> | null = null
  private readonly fetchFn: typeof fetch

  constructor(private readonly options: SourceOptions) {
    for (const wheel of options.stored) this.storedWheels.set(wheel.key, wheel)
    this.fetchFn = options.fetch ?? fetch
  }

  stored(key: string): Candidate | null {
    const wheel = this.storedWheels.get(key)
    if (!wheel || this.options.upgrade) return null
    return {
      key,
      name: wheel.name,
      version: wheel.version,
      filename: wheel.filename,
      requiresPython: '',
      stored: true
    }
  }

  async available(key: string): Promise<Candidate[]> {
    const files = await this.offeredFiles(key)
    const named = files
      .map((file) => ({ file, name: parseWheelFilename(file.filename) }))
      .filter((f): f is { file: OfferedFile; name: WheelName } => f.name !== null && f.name.key === key)
    const loadable = named.filter((f) => isLoadableWheel(f.name) && !f.file.yanked)
    if (loadable.length === 0) {
      if (files.length === 0) return []
      const compiled = named.filter((f) => !isLoadableWheel(f.name))
      if (compiled.length > 0) {
        const platforms = describePlatforms(compiled.map((f) => f.name))
        throw new PackageError(
          `${displayName(named, key)} needs compiled code for ${platforms.join(', ') || 'other platforms'}; ` +
            `Fuelbook's runtime includes ${RUNTIME_INCLUDES}; ${displayName(named, key)} cannot be installed`
        )
      }
      if (named.length === 0)
        throw new PackageError(
          `${key} offers only source distributions; Fuelbook installs pure-Python wheels only, so ${key} cannot be installed`
        )
      return []
    }
    const byVersion = new Map<string, OfferedFile>()
    for (const { file, name } of loadable) if (!byVersion.has(name.version)) byVersion.set(name.version, file)
    return sortVersionsDescending([...byVersion.keys()]).map((version) => {
      const file = byVersion.get(version)!
      this.files.set(file.filename, file)
      return {
        key,
        name: parseWheelFilename(file.filename)!.distribution,
        version,
        filename: file.filename,
        requiresPython: file.requiresPython,
        stored: false
      }
    })
  }

  metadata(candidate: Candidate): Promise<WheelMetadata> {
    const cacheKey = `${candidate.stored ? 'stored' : 'offered'}:${candidate.filename}`
    let cached = this.metadataCache.get(cacheKey)
    if (!cached) {
      cached = this.readMetadata(candidate)
      this.metadataCache.set(cacheKey, cached)
    }
    return cached
  }

  /** The wheel's bytes, checked against the index's sha256 (a mismatch throws: nothing is stored). */
  download(candidate: Candidate): Promise<Uint8Array> {
    let pending = this.downloads.get(candidate.filename)
    if (!pending) {
      pending = this.fetchWheel(candidate.filename)
      this.downloads.set(candidate.filename, pending)
    }
    return pending
  }

  private async readMetadata(candidate: Candidate): Promise<WheelMetadata> {
    if (candidate.stored) return readWheelMetadata(this.storedWheels.get(candidate.key)!.bytes())
    const file = this.files.get(candidate.filename)!
    let meta: WheelMetadata
    if (file.metadata !== null && !file.local) {
      const bytes = await this.get(`${file.location}.metadata`)
      if (file.metadata.sha256 !== null && sha256Hex(bytes) !== file.metadata.sha256)
        throw new PackageError(
          `${file.filename}.metadata: sha256 mismatch with the index; nothing was installed`
        )
      meta = parseMetadata(new TextDecoder().decode(bytes))
    } else {
      const bytes = await this.download(candidate)
      try {
        meta = readWheelMetadata(bytes)
      } catch (error) {
        throw new PackageError(
          `${file.filename} is not a wheel: ${(error as Error).message}; nothing was installed`
        )
      }
    }
    if (meta.key !== candidate.key || meta.version !== candidate.version) {
      // Versions can be spelled differently in the file name and METADATA (1.0 vs 1.0.0).
      if (meta.key !== candidate.key)
        throw new PackageError(`${file.filename}: its METADATA names ${meta.name}, not ${candidate.name}`)
    }
    return meta
  }

  private async fetchWheel(filename: string): Promise<Uint8Array> {
    const file = this.files.get(filename)!
    const bytes = file.local ? await readLocal(file.location) : await this.get(file.location)
    if (file.sha256 !== null) {
      const actual = sha256Hex(bytes)
      if (actual !== file.sha256)
        throw new PackageError(
          `${filename}: sha256 mismatch (the index says ${file.sha256.slice(0, 12)}…, the download is ${actual.slice(0, 12)}…); nothing was installed`
        )
    }
    return bytes
  }

  private offeredFiles(key: string): Promise<OfferedFile[]> {
    let pending = this.offered.get(key)
    if (!pending) {
      pending = (async () => {
        const local = (await this.localFiles()).filter((f) => parseWheelFilename(f.filename)?.key === key)
        if (this.options.indexUrl === null) return local
        // Files of a wheelhouse or .whl argument win over the index's (they come first).
        return [...local, ...(await this.indexFiles(key))]
      })()
      this.offered.set(key, pending)
    }
    return pending
  }

  private localFiles(): Promise<OfferedFile[]> {
    this.localWheels ??= (async () => {
      const paths = [...this.options.wheelFiles]
      for (const dir of this.options.findLinks) {
        let names: string[]
        try {
          names = await readdir(dir)
        } catch (error) {
          throw new PackageError(`cannot read the wheel folder ${dir}: ${errorText(error)}`)
        }
        paths.push(...names.filter((n) => n.endsWith('.whl')).map((n) => join(dir, n)))
      }
      return paths.map((path) => ({
        filename: basename(path),
        location: path,
        local: true,
        sha256: null,
        requiresPython: '',
        yanked: false,
        metadata: null
      }))
    })()
    return this.localWheels
  }

  private async indexFiles(key: string): Promise<OfferedFile[]> {
    const indexUrl = this.options.indexUrl!
    const pageUrl = new URL(`${key}/`, indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`).href
    let response: Response
    try {
      response = await this.fetchFn(pageUrl, { headers: { Accept: PEP691_ACCEPT } })
    } catch (error) {
      throw new PackageError(
        `cannot reach the package index ${indexUrl} (${errorText(error)}). Without network, download the wheels ` +
          `elsewhere and install them from a folder: %pip install --no-index --find-links FOLDER NAME`
      )
    }
    if (response.status === 404) return []
    if (!response.ok)
      throw new PackageError(
        `the package index answered ${response.status} ${response.statusText} for ${pageUrl}`
      )
    if (!(response.headers.get('content-type') ?? '').includes('json'))
      throw new PackageError(
        `the package index ${indexUrl} did not answer in the JSON simple API (PEP 691); Fuelbook needs an index that does`
      )
    const page = (await response.json()) as { files?: unknown }
    if (!Array.isArray(page.files)) throw new PackageError(`${pageUrl}: not a PEP 691 project page`)
    return page.files.flatMap((raw: unknown): OfferedFile[] => {
      const f = raw as Record<string, unknown>
      if (typeof f['filename'] !== 'string' || typeof f['url'] !== 'string') return []
      const hashes = (f['hashes'] ?? {}) as Record<string, unknown>
      const meta = f['core-metadata'] ?? f['dist-info-metadata']
      return [
        {
          filename: f['filename'],
          location: new URL(f['url'], pageUrl).href,
          local: false,
          sha256: typeof hashes['sha256'] === 'string' ? hashes['sha256'] : null,
          requiresPython:
            typeof f['requires-python'] === 'string' ? f['requires-python'].replace(/\s+/g, '') : '',
          yanked: f['yanked'] !== undefined && f['yanked'] !== false,
          metadata:
            meta === true
              ? { sha256: null }
              : meta && typeof meta === 'object'
                ? { sha256: String((meta as Record<string, unknown>)['sha256'] ?? '') || null }
                : null
        }
      ]
    })
  }

  private async get(url: string): Promise<Uint8Array> {
    let response: Response
    try {
      response = await this.fetchFn(url)
    } catch (error) {
      throw new PackageError(`cannot download ${url} (${errorText(error)})`)
    }
    if (!response.ok)
      throw new PackageError(`cannot download ${url}: ${response.status} ${response.statusText}`)
    return new Uint8Array(await response.arrayBuffer())
  }
}

async function readLocal(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    throw new PackageError(`cannot read ${path}: ${errorText(error)}`)
  }
}

function displayName(named: { name: WheelName }[], key: string): string {
  return named[0]?.name.distribution ?? key
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    const detail = cause instanceof Error ? cause.message : ''
    return detail && detail !== error.message ? `${error.message}: ${detail}` : error.message
  }
  return String(error)
}

/** Requirement keys named by a `.whl` path: `name==version` of the file. */
export function requirementOfWheelFile(path: string): string {
  const name = parseWheelFilename(basename(path))
  if (!name)
    throw new PackageError(
      `${basename(path)} is not a wheel file name (name-version-python-abi-platform.whl)`
    )
  return `${name.distribution}==${name.version}`
}
