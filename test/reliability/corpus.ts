/**
 * The adversarial corpus: hostile or broken cells, each with the status a user must
 * see and what its message or output must say. Run through the Kernel (kernel-corpus.test.ts) and
 * through the service while another notebook keeps answering (service-corpus.test.ts).
 *
 * Every case runs on a kernel where `x = 42`; a case whose run is killed first sets `x = -1`, so
 * reading `x` afterwards proves the head did not move. (A Python error or sys.exit moves the head,
 * as in Jupyter, so those cases leave `x` alone.)
 *
 * Budgets are the suite's (small, so a runaway case costs well under a second of fuel); a case that
 * must reach its real failure rather than the fuel limit gets a bigger one.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Limits, RunStatus } from '../../src/shared/notebook'

export const SUITE_LIMITS: Limits = {
  fuel: 200_000_000,
  memoryBytes: 256 * 2 ** 20,
  timeoutMs: 3_000,
  outputBytes: 1 << 20,
  fsBytes: 256 * 1024 * 1024
}

/** Host paths a cell tries to create: none may exist after the suite. */
export const ESCAPE_MARKER = `fuelbook-escape-${process.pid}`
export const HOST_ESCAPE_PATHS = [`/${ESCAPE_MARKER}`, join(tmpdir(), ESCAPE_MARKER), `/etc/${ESCAPE_MARKER}`]

export interface CorpusCase {
  id: string
  title: string
  code: string
  limits?: Partial<Limits>
  expect: {
    status: RunStatus
    exitCode?: number
    /** Must match the run's message, or its error output (`ename: evalue`) when there is no message. */
    says: RegExp
    /** Must match the run's stdout, when given. */
    stdout?: RegExp
    /** The output was capped (a `truncated` marker). */
    truncated?: boolean
  }
}

const BIG = { fuel: 2_000_000_000, timeoutMs: 30_000 }

export const CORPUS: CorpusCase[] = [
  // ---- runaway compute, time and memory
  {
    id: 'infinite-loop',
    title: '`while True: pass`',
    code: 'x = -1\nwhile True: pass',
    expect: { status: 'out_of_fuel', says: /out of fuel.*budget of 200 M/ }
  },
  {
    id: 'sleep-forever',
    title: '`time.sleep(10**9)`',
    code: 'x = -1\nimport time\ntime.sleep(10**9)',
    expect: { status: 'timeout', says: /timed out after 3 s; the kernel state is as before/ }
  },
  {
    id: 'bytearray-1e10',
    title: '`bytearray(10**10)` (larger than the 32-bit address space)',
    code: 'bytearray(10**10)',
    expect: { status: 'error', says: /OverflowError: cannot fit 'int' into an index-sized integer/ }
  },
  {
    id: 'bytearray-1e9',
    title: '`bytearray(10**9)` (above the 256 MB memory cap)',
    code: 'x = -1\nbytearray(10**9)',
    expect: { status: 'out_of_memory', says: /out of memory|MemoryError/ }
  },
  {
    id: 'list-grows-forever',
    title: 'a list that grows forever (64 MB cap)',
    code: 'x = -1\nhog = []\nwhile True: hog.append("x" * 10**5)',
    limits: { memoryBytes: 64 * 2 ** 20, fuel: 2_000_000_000 },
    expect: { status: 'out_of_memory', says: /out of memory|MemoryError/ }
  },
  {
    id: 'deep-recursion',
    title: 'deep recursion with `sys.setrecursionlimit(10**6)`',
    code: 'x = -1\nimport sys\nsys.setrecursionlimit(10**6)\ndef f(n): return f(n + 1)\nf(0)',
    expect: { status: 'out_of_fuel', says: /out of fuel/ }
  },
  {
    id: 'c-stack-repr-self',
    title: 'C stack exhaustion: `__repr__` calling `repr(self)`, limit 10**6',
    code: 'x = -1\nimport sys\nsys.setrecursionlimit(10**6)\nclass A:\n    def __repr__(self): return repr(self)\nrepr(A())',
    limits: BIG,
    expect: { status: 'crashed', says: /crashed: .*(stack|wasm trap)/ }
  },
  {
    id: 'c-stack-nested-repr',
    title: 'C stack exhaustion: `repr` of a list nested 200,000 deep',
    code: 'x = -1\nimport sys\nsys.setrecursionlimit(10**7)\nl = []\nfor _ in range(200000): l = [l]\nrepr(l)',
    limits: BIG,
    expect: { status: 'crashed', says: /crashed: .*(stack|wasm trap)/ }
  },
  {
    id: 'c-stack-eval',
    title: "parser nesting: `eval('(' * 100000)`",
    code: "x = -1\neval('(' * 100000)",
    expect: { status: 'out_of_memory', says: /MemoryError|out of memory/ }
  },
  {
    id: 'c-stack-json',
    title: 'C recursion in json: `json.loads` of 100,000 nested arrays',
    code: "import json\njson.loads('[' * 100000 + ']' * 100000)",
    expect: { status: 'error', says: /RecursionError: maximum recursion depth exceeded/ }
  },
  // ---- output floods
  {
    id: 'flood-print-lines',
    title: 'output flood: `print` in a loop of 10^7 lines',
    code: 'x = -1\nfor i in range(10**7): print(i)',
    expect: { status: 'out_of_fuel', says: /out of fuel/, stdout: /^0\n1\n2\n/ }
  },
  {
    id: 'flood-10m-lines',
    title: 'output flood: 10^7 lines in one write',
    code: 'import sys\nsys.stdout.write("x\\n" * 10**7)',
    expect: { status: 'ok', says: /^$/, stdout: /^x\nx\n/, truncated: true }
  },
  {
    id: 'flood-100mb-line',
    title: 'output flood: a single 100 MB line',
    code: 'print("x" * 10**8)',
    limits: BIG,
    expect: { status: 'ok', says: /^$/, stdout: /^x{1000}/, truncated: true }
  },
  // ---- the host
  {
    id: 'read-etc-passwd',
    title: "`open('/etc/passwd')`",
    code: "open('/etc/passwd').read()",
    expect: { status: 'error', says: /FileNotFoundError: .*No such file or directory: '\/etc\/passwd'/ }
  },
  {
    id: 'write-etc',
    title: 'write outside /tmp: `/etc/…`',
    code: `open('/etc/${ESCAPE_MARKER}', 'w').write('escaped')`,
    expect: { status: 'error', says: /FileNotFoundError/ }
  },
  {
    id: 'write-stdlib',
    title: 'write outside /tmp: into the stdlib mount',
    code: "open('/usr/local/lib/python311.zip', 'ab').write(b'x')",
    expect: { status: 'error', says: /OSError: .*Read-only file system/ }
  },
  {
    id: 'write-root',
    title: 'write outside /tmp: `/<file>` (lands in the in-memory file system only)',
    code: `open('/${ESCAPE_MARKER}', 'w').write('escaped')\nimport os\nprint(sorted(os.listdir('/')))`,
    expect: { status: 'ok', says: /^$/, stdout: new RegExp(`^\\['${ESCAPE_MARKER}', 'tmp'\\]`) }
  },
  {
    id: 'write-tmp-traversal',
    title: 'write through `/tmp/../../../tmp/…` (host /tmp must stay untouched)',
    code: `open('/tmp/../../../tmp/${ESCAPE_MARKER}', 'w').write('escaped')`,
    expect: { status: 'error', says: /PermissionError: .*Capabilities insufficient/ }
  },
  {
    id: 'listdir-root',
    title: "`os.listdir('/')`",
    code: "import os\nprint(sorted(os.listdir('/')))",
    expect: { status: 'ok', says: /^$/, stdout: /^\['tmp'\]\n$/ }
  },
  {
    id: 'socket',
    title: 'sockets: `socket.socket().connect(...)`',
    code: "import socket\ns = socket.socket()\ns.connect(('127.0.0.1', 80))",
    expect: { status: 'error', says: /SandboxError: socket\.socket\(\) needs network access/ }
  },
  {
    id: 'subprocess',
    title: "`subprocess.run(['ls'])`",
    code: "import subprocess\nsubprocess.run(['ls'])",
    limits: { fuel: 1_000_000_000 },
    expect: { status: 'error', says: /SandboxError: subprocess\.Popen\(\) starts a process/ }
  },
  {
    id: 'os-system',
    title: "`os.system('ls')`",
    code: "import os\nos.system('ls')",
    expect: { status: 'error', says: /SandboxError: os\.system\(\) starts a process/ }
  },
  {
    id: 'thread',
    title: '`threading.Thread(...).start()`',
    code: 'import threading\nthreading.Thread(target=print).start()',
    expect: { status: 'error', says: /SandboxError: threading\.Thread\.start\(\) starts a thread/ }
  },
  {
    id: 'ctypes',
    title: '`import ctypes`',
    code: 'import ctypes',
    expect: { status: 'error', says: /ModuleNotFoundError: No module named 'ctypes'/ }
  },
  // ---- exits
  {
    id: 'sys-exit-3',
    title: '`sys.exit(3)`',
    code: 'import sys\nsys.exit(3)',
    expect: { status: 'exit', exitCode: 3, says: /^exited with code 3$/ }
  },
  {
    id: 'os-exit-1',
    title: '`os._exit(1)`',
    code: 'x = -1\nimport os\nos._exit(1)',
    expect: { status: 'exit', exitCode: 1, says: /exited with code 1 \(os\._exit\)/ }
  },
  {
    id: 'systemexit-in-finally',
    title: '`raise SystemExit` inside `finally`',
    code: 'try:\n    raise ValueError("first")\nfinally:\n    raise SystemExit(5)',
    expect: { status: 'exit', exitCode: 5, says: /^exited with code 5$/ }
  },
  // ---- limits and source
  {
    id: 'fuel-0',
    title: 'fuel budget 0',
    code: '1 + 1',
    limits: { fuel: 0 },
    expect: { status: 'out_of_fuel', says: /out of fuel: the cell needed more than its budget of 0/ }
  },
  {
    id: 'nul-bytes',
    title: 'source with NUL bytes',
    code: 'x = -1\0\nprint(x)',
    expect: { status: 'error', says: /ValueError: source code string cannot contain null bytes/ }
  },
  {
    id: 'lone-surrogate-source',
    title: 'source with an invalid (lone) surrogate',
    code: 's = "\ud800"\nprint(len(s))',
    expect: { status: 'ok', says: /^$/, stdout: /^1\n$/ }
  },
  {
    id: 'lone-surrogate-print',
    title: 'printing a lone surrogate',
    code: 'print("\\ud800")',
    expect: { status: 'error', says: /UnicodeEncodeError: .*surrogates not allowed/ }
  },
  {
    id: 'code-10mb-statements',
    title: '10 MB of code (1.7 M statements)',
    code: 'x = -1\n' + 'y = 1\n'.repeat(Math.floor((10 * 2 ** 20) / 6)),
    expect: { status: 'out_of_fuel', says: /out of fuel/ }
  },
  {
    id: 'code-10mb-literal',
    title: '10 MB of code (one string literal)',
    code: 's = "' + 'a'.repeat(10 * 2 ** 20) + '"\nprint(len(s))',
    limits: { fuel: 4_000_000_000, timeoutMs: 30_000 },
    expect: { status: 'ok', says: /^$/, stdout: /^10485760\n$/ }
  }
]

/** `ename: evalue` of the run's error output, if any. */
export function errorText(outputs: { type: string; ename?: string; evalue?: string }[]): string {
  const error = outputs.find((o) => o.type === 'error')
  return error ? `${error.ename}: ${error.evalue}` : ''
}

/**
 * What the user reads about a run: its message, else its error line, else (sys.exit) the exit
 * code the UI shows next to the status.
 */
export function readableMessage(run: {
  status: RunStatus
  exitCode: number | null
  message: string | null
  outputs: { type: string }[]
}): string {
  if (run.message) return run.message
  const error = errorText(run.outputs as { type: string; ename?: string; evalue?: string }[])
  if (error) return error
  return run.status === 'exit' ? `exited with code ${run.exitCode}` : ''
}
