/**
 * Cells whose fuel is pinned in test/fixtures/fuel-golden.json. Fuel is a count of executed wasm
 * operators, so a cell run isolated from S0 in deterministic mode costs the same on every run and
 * every machine (README, "Benchmarks"; src/main/sandbox/meter/README.md): the file holds what
 * each cell cost on the machine that wrote it, for the runtime and meter it names, and
 * test/integration/fuel-golden.test.ts checks that this machine counts the same.
 * A deliberate change to the runtime or the meter measures them again:
 *
 *   npx tsx scripts/fuel-golden.ts
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KernelHost } from '../../src/main/kernel'
import type { Limits, RunStatus } from '../../src/shared/notebook'

export const GOLDEN_FILE = join(__dirname, '..', 'fixtures', 'fuel-golden.json')

/** What notebook code spends its fuel in: the interpreter, C modules, tracebacks, magics, display. */
export const GOLDEN_CELLS: Record<string, string> = {
  pass: 'pass',
  expression: '1+1',
  loop: 'sum(i * i for i in range(20_000))',
  calls: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nfib(15)',
  classes:
    'class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n\nsum(Point(i, i).x for i in range(5_000))',
  json: 'import json\nlen(json.dumps(json.loads(json.dumps([{"id": i, "v": i / 3} for i in range(2_000)]))))',
  'seeded random and sort':
    'import random\nrandom.seed(7)\nsorted(random.random() for _ in range(5_000))[:2]',
  regex:
    'import re\nlen(re.findall(r"\\b\\w+@\\w+\\.com\\b", " ".join(f"user{i}@site.com x" for i in range(2_000))))',
  floats: 'import math\nsum(math.sin(i) * math.sqrt(i) for i in range(5_000))',
  decimal:
    'from decimal import Decimal, getcontext\ngetcontext().prec = 40\nsum(Decimal(1) / Decimal(i) for i in range(1, 500))',
  'hashlib and zlib':
    'import hashlib, zlib\nhashlib.sha256(zlib.compress(bytes(range(256)) * 400)).hexdigest()',
  sqlite:
    'import sqlite3\ndb = sqlite3.connect(":memory:")\ndb.execute("create table t (x)")\ndb.executemany("insert into t values (?)", [(i,) for i in range(1_000)])\ndb.execute("select sum(x) from t").fetchone()',
  'files and time':
    'import pathlib, time\npathlib.Path("/tmp/a.txt").write_text("x" * 10_000)\n(len(pathlib.Path("/tmp/a.txt").read_text()), time.time() > 0)',
  traceback: 'def fail():\n    return 1 / 0\n\nfail()',
  magics: '%time total = sum(range(1_000))\n%who',
  display:
    'from IPython.display import HTML, Markdown, display\ndisplay(HTML("<b>bold</b>"), Markdown("*x*"))'
}

/** The limits of every pinned run: none of the cells comes near them. */
const LIMITS: Limits = {
  fuel: 400_000_000,
  memoryBytes: 256 * 1024 * 1024,
  timeoutMs: 60_000,
  outputBytes: 2_000_000,
  fsBytes: 256 * 1024 * 1024
}

export interface GoldenRun {
  status: RunStatus
  fuel: number
}

export interface FuelGolden {
  /** The runtime (python.wasm and stdlib zip) and meter the figures were counted with. */
  runtimeHash: string
  meterVersion: number
  cells: Record<string, GoldenRun>
}

export function readGolden(): FuelGolden {
  return JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as FuelGolden
}

/** Each cell once, isolated from S0, in deterministic mode (fixed clock and entropy). */
export async function measureGolden(host: KernelHost): Promise<Record<string, GoldenRun>> {
  const cells: Record<string, GoldenRun> = {}
  for (const [name, code] of Object.entries(GOLDEN_CELLS)) {
    const kernel = host.createKernel()
    try {
      const result = await kernel.run(code, { isolated: true, deterministic: true, limits: LIMITS })
      cells[name] = { status: result.status, fuel: result.fuelConsumed }
    } finally {
      await kernel.dispose()
    }
  }
  return cells
}
