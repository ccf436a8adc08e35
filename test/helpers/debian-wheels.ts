/**
 * Real, large pure-Python packages for the package tests and the bench: wheels built from what
 * Debian installed in /usr/lib/python3/dist-packages (python3-sympy, python3-mpmath), the way a
 * build backend would (wheels.ts: METADATA, WHEEL, RECORD with every file's sha256), into a folder
 * of wheels that `%pip install --no-index --find-links FOLDER sympy` installs from.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ensureDebianPackages } from './debian-packages'
import { buildWheel } from './wheels'

export const NATIVE_PYTHON3 = '/usr/bin/python3'
const DIST_PACKAGES = '/usr/lib/python3/dist-packages'

interface DebianDist {
  /** Distribution name, as on the package index. */
  dist: string
  debianPackage: string
  /** Top-level import package, a folder in dist-packages. */
  module: string
  /** Requires-Dist: Debian's egg-info does not carry them; these are the project's own pins. */
  requires: string[]
}

/** sympy 1.11 declares `mpmath>=0.19` (its setup.py install_requires). */
export const SYMPY_DISTS: DebianDist[] = [
  { dist: 'mpmath', debianPackage: 'python3-mpmath', module: 'mpmath', requires: [] },
  { dist: 'sympy', debianPackage: 'python3-sympy', module: 'sympy', requires: ['mpmath>=0.19'] }
]

export interface DebianWheel {
  dist: string
  version: string
  filename: string
  bytes: number
}

/** Installs the Debian packages when it can (root on Debian), then writes their wheels into `folder`. */
export function buildDebianWheels(dists: DebianDist[], folder: string): DebianWheel[] {
  ensureDebianPackages(
    dists.map((d) => d.debianPackage),
    () =>
      existsSync(NATIVE_PYTHON3) &&
      dists.every((d) => existsSync(join(DIST_PACKAGES, d.module, '__init__.py'))),
    'to build real wheels for the package tests',
    `the sympy tests build wheels from Debian's ${dists.map((d) => d.debianPackage).join(' and ')}: install them`
  )
  mkdirSync(folder, { recursive: true })
  return dists.map((d) => {
    const version = nativeVersion(d.module)
    const wheel = buildWheel({
      name: d.dist,
      version,
      requires: d.requires,
      requiresPython: '>=3.8',
      summary: `${d.dist} ${version} from Debian's ${d.debianPackage}`,
      files: sourceFiles(join(DIST_PACKAGES, d.module))
    })
    writeFileSync(join(folder, wheel.filename), wheel.bytes)
    return { dist: d.dist, version, filename: wheel.filename, bytes: wheel.bytes.byteLength }
  })
}

/**
 * The version the module itself reports: Debian's mpmath egg-info says 0.0.0 (its build sets no
 * version), `mpmath.__version__` is the release the sources are.
 */
function nativeVersion(module: string): string {
  const r = spawnSync(NATIVE_PYTHON3, ['-I', '-c', `import ${module}; print(${module}.__version__)`], {
    encoding: 'utf8'
  })
  const version = r.stdout.trim()
  if (r.status !== 0 || !/^\d+(\.\d+)*$/.test(version))
    throw new Error(`${NATIVE_PYTHON3} could not tell ${module}'s version: ${r.stderr.trim()}`)
  return version
}

/** Every file of the package by its path in the wheel, without Debian's byte-compiled caches. */
function sourceFiles(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {}
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '__pycache__') walk(path)
      } else if (entry.isFile() && !entry.name.endsWith('.pyc')) {
        files[relative(DIST_PACKAGES, path)] = readFileSync(path)
      }
    }
  }
  walk(dir)
  return files
}
