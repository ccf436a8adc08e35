/**
 * The pure core of packages/: PEP 508 requirements and markers (the PEP's own examples), wheel tags,
 * METADATA, the resolver's choices and its conflict message, and `%pip` line extraction.
 */
import { describe, expect, it } from 'vitest'
import { extractPipCommands } from '../../src/main/packages/pip-command'
import {
  evaluateMarker,
  parseMarker,
  parseRequirement,
  versionSatisfies
} from '../../src/main/packages/requirement'
import { resolve, type Candidate, type CandidateSource } from '../../src/main/packages/resolver'
import { isLoadableWheel, parseMetadata, parseWheelFilename } from '../../src/main/packages/wheel'

describe('PEP 508 requirements', () => {
  it('parses the PEP examples', () => {
    const r = parseRequirement('requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"')
    expect([r.key, r.extras, r.specifier]).toEqual(['requests', ['security', 'tests'], '>=2.8.1,==2.8.*'])
    expect(r.marker && evaluateMarker(r.marker)).toBe(false)
    expect(parseRequirement('name@http://foo.com').url).toBe('http://foo.com')
    expect(parseRequirement('A.B-C_D').key).toBe('a-b-c-d')
    expect(parseRequirement('name (>=1.0)').specifier).toBe('>=1.0')
    expect(() => parseRequirement('name >= banana')).toThrow('is not a version specifier')
  })

  it("evaluates markers for the sandbox's platform", () => {
    const yes = [
      'sys_platform == "wasi"',
      'platform_machine == "wasm32"',
      'os_name == "posix" and python_version >= "3.8"',
      'python_full_version ~= "3.11.0"',
      '(sys_platform == "win32" or implementation_name == "cpython") and "wasm" in platform_machine',
      "platform_python_implementation != 'PyPy'"
    ]
    const no = [
      'sys_platform == "linux"',
      'python_version < "3.11"',
      'platform_system == "Windows"',
      'extra == "test"'
    ]
    for (const m of yes) expect(evaluateMarker(parseMarker(m)), m).toBe(true)
    for (const m of no) expect(evaluateMarker(parseMarker(m)), m).toBe(false)
    expect(evaluateMarker(parseMarker('extra == "Fast_Mode"'), 'fast-mode')).toBe(true)
    expect(() => parseMarker('sys_platform = "wasi"')).toThrow('cannot read "= "wasi""')
    expect(() => parseMarker('sys_platform "wasi"')).toThrow('is not a valid environment marker')
  })

  it('leaves pre-releases out unless the specifier names one (PEP 440)', () => {
    expect(versionSatisfies('2.0rc1', '>=1.0')).toBe(false)
    expect(versionSatisfies('2.0rc1', '>=2.0rc1')).toBe(true)
    expect(versionSatisfies('1.4.2', '~=1.4')).toBe(true)
    expect(versionSatisfies('2.0', '~=1.4')).toBe(false)
    expect(versionSatisfies('1.0.post1', '==1.0.*')).toBe(true)
  })
})

describe('wheels', () => {
  it('loads pure-Python wheels only', () => {
    const loadable = (f: string): boolean => isLoadableWheel(parseWheelFilename(f)!)
    expect(loadable('six-1.16.0-py2.py3-none-any.whl')).toBe(true)
    expect(loadable('attrs-23.1.0-py3-none-any.whl')).toBe(true)
    expect(loadable('x-1.0-cp311-none-any.whl')).toBe(true)
    expect(loadable('x-1.0-py312-none-any.whl')).toBe(false)
    expect(loadable('x-1.0-py2-none-any.whl')).toBe(false)
    expect(loadable('numpy-1.26.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toBe(false)
    expect(loadable('numpy-1.26.0-cp311-cp311-emscripten_3_1_45_wasm32.whl')).toBe(false)
    expect(parseWheelFilename('pkg-1.0.tar.gz')).toBeNull()
  })

  it('reads METADATA headers with continuation lines and repeated fields', () => {
    const meta = parseMetadata(
      'Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\nRequires-Python: >=3.8,\n  <4\nRequires-Dist: a>=1\nRequires-Dist: b; extra == "x"\nProvides-Extra: X\n\nBody: not a header\n'
    )
    expect([meta.key, meta.version, meta.requiresPython, meta.providesExtra]).toEqual([
      'foo-bar',
      '1.0',
      '>=3.8,<4',
      ['x']
    ])
    expect(meta.requiresDist.map((r) => r.key)).toEqual(['a', 'b'])
  })
})

function fakeIndex(
  packages: Record<string, Record<string, string[]>>,
  stored: Record<string, string> = {}
): CandidateSource & {
  asked: string[]
} {
  const asked: string[] = []
  const candidate = (key: string, version: string, isStored: boolean): Candidate => ({
    key,
    name: key,
    version,
    filename: `${key}-${version}-py3-none-any.whl`,
    requiresPython: '',
    stored: isStored
  })
  return {
    asked,
    stored: (key) => (stored[key] ? candidate(key, stored[key], true) : null),
    available: async (key) => {
      asked.push(key)
      return Object.keys(packages[key] ?? {})
        .sort((a, b) => b.localeCompare(a))
        .map((v) => candidate(key, v, false))
    },
    metadata: async (c) => ({
      name: c.key,
      key: c.key,
      version: c.version,
      requiresPython: '',
      providesExtra: [],
      requiresDist: (packages[c.key]?.[c.version] ?? []).map((r) => parseRequirement(r))
    })
  }
}

const want = (text: string): { req: ReturnType<typeof parseRequirement>; by: null } => ({
  req: parseRequirement(text),
  by: null
})

describe('resolver', () => {
  it('backtracks to an older version when the newest conflicts', async () => {
    const index = fakeIndex({
      a: { '2.0': ['c>=3'], '1.0': ['c<3'] },
      b: { '1.0': ['c<3'] },
      c: { '3.0': [], '2.0': [] }
    })
    const r = await resolve([want('a'), want('b')], index)
    expect(r.ok && r.value.map((p) => `${p.candidate.key} ${p.candidate.version}`)).toEqual([
      'a 1.0',
      'b 1.0',
      'c 2.0'
    ])
  })

  it('uses a stored wheel that satisfies without asking the index', async () => {
    const index = fakeIndex({ a: { '2.0': [], '1.0': [] } }, { a: '1.0' })
    const r = await resolve([want('a>=1')], index)
    expect(r.ok && r.value[0]!.candidate).toMatchObject({ version: '1.0', stored: true })
    expect(index.asked).toEqual([])
  })

  it('names the pins that conflict, and what is available when nothing matches', async () => {
    const index = fakeIndex({ a: { '1.0': ['c==1.0'] }, c: { '1.0': [], '2.0': [] } })
    const r = await resolve([want('a'), want('c>=2')], index)
    expect(r).toEqual({
      ok: false,
      error: 'no version of c satisfies every requirement: c>=2 (requested); c==1.0 (a 1.0 requires c==1.0)'
    })
    expect(await resolve([want('c>5')], index)).toEqual({
      ok: false,
      error: 'no version of c matches c>5 (requested) for Python 3.11.2; available: 2.0, 1.0'
    })
  })
})

describe('%pip lines', () => {
  it('takes top-level %pip lines out, keeps line numbers, and leaves indented ones to the kernel', () => {
    const cell = extractPipCommands(
      '%pip install -q "sympy==1.12" ./w/x-1.0-py3-none-any.whl\nimport sympy\nif x:\n    %pip install y\n!pip list'
    )
    expect(cell.code).toBe('\nimport sympy\nif x:\n    %pip install y\n')
    expect(cell.commands).toMatchObject([
      { kind: 'install', requirements: ['sympy==1.12'], wheelFiles: ['./w/x-1.0-py3-none-any.whl'] },
      { kind: 'list' }
    ])
    expect(extractPipCommands('%pip install -r req.txt').commands[0]).toMatchObject({
      kind: 'invalid',
      message: '-r is not supported: name the packages (or .whl files) instead'
    })
  })
})
