/** Notebook documents for the export tests: built in memory, no files, no kernel. */
import type { Cell, NotebookDocument, Output, RunRecord, RunStatus } from '../../src/shared/notebook'
import type { PackageInfo } from '../../src/shared/packages'

const DOCUMENT_LIMITS = {
  fuel: 400_000_000,
  memoryBytes: 256 * 1024 * 1024,
  timeoutMs: 30_000,
  outputBytes: 1_000_000,
  fsBytes: 256 * 1024 * 1024
}

let nextRun = 1

export function codeCell(id: string, source: string, extra: Partial<Cell> = {}): Cell {
  return { id, type: 'code', source, metadata: {}, isolated: false, ...extra }
}

export function markdownCell(id: string, source: string, metadata: Record<string, unknown> = {}): Cell {
  return { id, type: 'markdown', source, metadata, isolated: false }
}

export function runOf(cell: Cell, outputs: Output[], patch: Partial<RunRecord> = {}): RunRecord {
  const status: RunStatus = patch.status ?? (outputs.some((o) => o.type === 'error') ? 'error' : 'ok')
  return {
    id: nextRun++,
    cellId: cell.id,
    executionCount: nextRun,
    source: cell.source,
    startedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_000_031,
    status,
    exitCode: null,
    message: null,
    isolated: false,
    outputs,
    fuelConsumed: 2_400_000,
    fuelBudget: 400_000_000,
    memoryPages: 160,
    memoryBytes: 160 * 65_536,
    peakMemoryBytes: 160 * 65_536,
    wallMs: 31,
    profile: null,
    ...patch
  }
}

export function documentOf(title: string, cells: Cell[], runs: RunRecord[] = []): NotebookDocument {
  return {
    path: '/tmp/test.fuelbook',
    title,
    createdAt: 1_700_000_000_000,
    modifiedAt: 1_700_000_000_000,
    untitled: false,
    readOnly: false,
    settings: { limits: DOCUMENT_LIMITS, deterministic: false },
    cells,
    lastRuns: Object.fromEntries(runs.map((r) => [r.cellId, r])),
    kernel: {
      headCellId: null,
      headExecutionCount: null,
      nextExecutionCount: 1,
      memoryBytes: 10 * 1024 * 1024,
      sessionFuel: 0,
      notice: null
    },
    notices: [],
    packages: []
  }
}

/** Two stored wheels as the store lists them (name order), for the exports' packages parts. */
export function samplePackages(): PackageInfo[] {
  const row = (name: string, displayName: string, version: string, bytes: number): PackageInfo => ({
    name,
    displayName,
    version,
    filename: `${displayName.replace(/-/g, '_')}-${version}-py3-none-any.whl`,
    sha256: name.charAt(0).repeat(64),
    bytes,
    requestedBy: name === 'app-kit' ? 'app-kit' : 'app-kit 1.0 requires base-lib',
    installedAt: 1_700_000_000_000
  })
  return [row('app-kit', 'App-Kit', '1.0', 2_048), row('base-lib', 'base-lib', '0.3', 1_500_000)]
}

/** 1×1 transparent PNG. */
export const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

/** A notebook with one of every kind of cell and output, and runs in several statuses. */
export function sampleDocument(): NotebookDocument {
  const md = markdownCell('md-1', '# Analysis\n\nSome *text* with `code` and $x^2$.')
  const a = codeCell('c-1', 'x = 21\nprint("hello world")\nx * 2')
  const b = codeCell('c-2', 'import json\nraise ValueError("bad")')
  const c = codeCell('c-3', 'while True: pass')
  const d = codeCell('c-4', 'display(img)')
  const e = codeCell('c-5', 'never_run()')
  const f = codeCell('c-6', 'df', { isolated: true })
  const raw: Cell = { id: 'raw-1', type: 'raw', source: 'raw <text>', metadata: {}, isolated: false }
  const runs = [
    runOf(
      a,
      [
        { type: 'stream', name: 'stdout', text: 'hello world\n' },
        { type: 'execute_result', data: { 'text/plain': '42' }, metadata: {}, executionCount: 1 }
      ],
      { executionCount: 1 }
    ),
    runOf(
      b,
      [
        {
          type: 'error',
          ename: 'ValueError',
          evalue: 'bad',
          traceback: [
            'Traceback (most recent call last):',
            '  File "<cell>", line 2, in <module>',
            '\u001b[31mValueError\u001b[0m: bad'
          ],
          lineno: 2
        }
      ],
      { executionCount: 2, fuelConsumed: 1_200_000 }
    ),
    runOf(c, [{ type: 'stream', name: 'stderr', text: 'spinning\n' }], {
      executionCount: null,
      status: 'out_of_fuel',
      message: 'out of fuel after 400 M',
      fuelConsumed: 400_000_000
    }),
    runOf(
      d,
      [
        { type: 'display_data', data: { 'image/png': PNG_1PX, 'text/plain': '<Figure>' }, metadata: {} },
        { type: 'truncated', droppedBytes: 2048 }
      ],
      { executionCount: 3, fuelConsumed: 52_000_000, fsBytes: 12 * 1024 * 1024 }
    ),
    runOf(
      f,
      [
        {
          type: 'execute_result',
          data: { 'text/html': '<table><tr><td>1</td></tr></table>', 'text/plain': '1' },
          metadata: {},
          executionCount: null
        }
      ],
      {
        executionCount: null,
        isolated: true
      }
    )
  ]
  return documentOf('Sample <notebook>', [md, a, b, c, d, e, f, raw], runs)
}
