/**
 * What the host memory test runs (host-memory.test.ts, in child processes, see host-memory-child.ts):
 * each attack of the sandbox resource probe, then the adversarial corpus. A case is a list of cells
 * run in order in one fresh notebook through the service, so what a run makes the host hold includes
 * saving it (outputs, the kernel head with its files). Limits are small (a 64 MiB file system) so
 * that the attacks reach them quickly.
 */
import type { Limits } from '../../src/shared/notebook'
import { CORPUS, SUITE_LIMITS } from './corpus'

export interface MemoryCase {
  id: string
  title: string
  cells: string[]
  limits: Limits
}

const MiB = 2 ** 20
const FS_QUOTA: Pick<Limits, 'fsBytes'> = { fsBytes: 64 * MiB }

/** Small budgets, with room to reach the file-system quota and the output cap rather than the fuel limit. */
const ATTACK_LIMITS: Limits = {
  ...SUITE_LIMITS,
  ...FS_QUOTA,
  memoryBytes: 128 * MiB,
  fuel: 4_000_000_000,
  timeoutMs: 60_000
}

/** The trivial cell whose peak is the baseline every other case's bound starts from. */
export const BASELINE: MemoryCase = {
  id: 'baseline',
  title: 'a trivial cell (`x = 1`): the baseline',
  cells: ['x = 1'],
  limits: ATTACK_LIMITS
}

export const ATTACKS: MemoryCase[] = [
  {
    id: 'sparse-3g',
    title: 'a 3 GiB sparse file (`os.truncate`)',
    cells: ["import os\nopen('/tmp/s', 'wb').close()\nos.truncate('/tmp/s', 3 * 2**30)"],
    limits: ATTACK_LIMITS
  },
  {
    id: 'files-50mb',
    title: '20 files of 50 MB of real data',
    cells: [
      [
        'import os',
        'block = os.urandom(2**20)',
        'try:',
        '    for i in range(20):',
        "        with open(f'/tmp/f{i}', 'wb') as f:",
        '            for _ in range(50): f.write(block)',
        'except OSError as e:',
        "    print('stopped:', e)"
      ].join('\n')
    ],
    limits: ATTACK_LIMITS
  },
  {
    id: 'tmp-400mb-then-runs',
    title: '`x = 1`, a 400 MB file in /tmp (up to the quota), then `print(x)` and `y = 2`',
    cells: [
      'x = 1',
      [
        'import os',
        'block = os.urandom(2**20)',
        'try:',
        "    with open('/tmp/big', 'wb') as f:",
        '        for _ in range(400): f.write(block)',
        'except OSError as e:',
        "    print('stopped:', e)"
      ].join('\n'),
      'print(x)',
      'y = 2'
    ],
    limits: ATTACK_LIMITS
  },
  {
    id: 'error-flood',
    title: '50 error records of 20 MB (`_fuelbook.emit(3, …)`)',
    cells: [
      [
        'import _fuelbook, json',
        "record = json.dumps({'ename': 'Flood', 'evalue': 'e' * 20_000_000, 'traceback': []}).encode()",
        'for _ in range(50): _fuelbook.emit(3, record)'
      ].join('\n')
    ],
    limits: ATTACK_LIMITS
  },
  {
    id: 'malformed-records',
    title: 'malformed records: 20 MB of invalid JSON, nesting 100,000 deep, invalid UTF-8, every kind',
    cells: [
      [
        'import _fuelbook',
        "_fuelbook.emit(1, b'{' * 20_000_000)",
        "_fuelbook.emit(3, b'[' * 100_000 + b']' * 100_000)",
        "_fuelbook.emit(2, b'\\xff\\xfe' * 1_000_000)",
        "for kind in range(12): _fuelbook.emit(kind, b'null')"
      ].join('\n')
    ],
    limits: ATTACK_LIMITS
  }
]

export const CORPUS_CASES: MemoryCase[] = CORPUS.map((c) => ({
  id: c.id,
  title: c.title,
  cells: ['x = 42', c.code],
  limits: { ...SUITE_LIMITS, ...c.limits, ...FS_QUOTA }
}))

/**
 * Corpus cases that make the host allocate hundreds of MB (a 100 MB string, 10 MB of source): each
 * runs in a process of its own.
 */
export const HEAVY_CORPUS_IDS = ['flood-100mb-line', 'code-10mb-literal']

export const ALL_CASES = [BASELINE, ...ATTACKS, ...CORPUS_CASES]

export interface MemoryMeasurement {
  id: string
  /** Peak resident set of the host process while the case ran (VmHWM, reset before the case). */
  peakBytes: number
  /** Each cell's status, in order. */
  statuses: string[]
  wallMs: number
}
