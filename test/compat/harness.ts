/**
 * Runs one module of a suite natively and inside the sandbox and compares the two, test by test.
 * Inside, each module gets a fresh kernel: one cell copies the module's files into the sandbox's
 * file system (a zip made natively, unpacked by the sandbox's own zipfile), the next runs it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KernelHost } from '../../src/main/kernel'
import type { Output } from '../../src/shared/notebook'
import { compareOutcomes, countOutcomes, parseOutcomes, type Counts, type TestDifference } from './outcomes'
import { runNativePython } from './native-python'
import { DEFAULT_MODULE_FUEL, type CompatModule, type CompatSuite } from './suite'

/** Where the suite's files go inside the sandbox, and the module's scratch folder. */
const SANDBOX_LIB = '/tmp/compat/lib'
const SANDBOX_WORKDIR = '/tmp/compat/work'
const INSTALL_FUEL = 50_000_000_000
const MEMORY_BYTES = 2 ** 30
const OUTPUT_BYTES = 64 * 2 ** 20
/** Room for the copied test files and what the tests write. */
const FS_BYTES = 2 ** 30

export interface SideResult {
  /** 'ok' when the runner reached its end; else what stopped it (a run status, or 'failed'). */
  status: string
  counts: Counts
  wallMs: number
  /** Inside only. */
  fuel: number | null
  /** The test that was running when the run stopped. */
  lastStarted: string | null
  /** For a run that did not finish: its message or the end of its stderr. */
  message: string | null
}

export type ComparisonStatus = 'same' | 'explained' | 'differs' | 'incomplete' | 'missing'

export interface ModuleComparison {
  suite: string
  module: string
  native: SideResult
  sandbox: SideResult
  differences: TestDifference[]
  status: ComparisonStatus
  /** Inside did not finish: the test it was in, and how long that test took natively. */
  stoppedIn: { test: string; nativeSeconds: number | null } | null
}

export interface HarnessOptions {
  /** Wall-clock limit for one module inside (fuel is the real limit; this catches a hang). */
  timeoutMs: number
  log?: (line: string) => void
}

/** Exit code of the bundling script when test files are missing (their paths on stdout). */
const MISSING_FILES_EXIT = 3

type Bundle = { ok: true; zip: string } | { ok: false; missing: string[] }

/**
 * Zips `paths` (relative to the suite's source root; "x" may mean "x.py"), natively. Missing
 * files are a result (the module gets a row saying so), anything else that fails throws.
 */
function bundle(suite: CompatSuite, paths: string[], cwd: string): Bundle {
  const code = `
import base64, io, os, sys, zipfile
root, paths = ${JSON.stringify(suite.sourceRoot)}, ${JSON.stringify(paths)}
missing = [p for p in paths if not os.path.exists(os.path.join(root, p)) and not os.path.exists(os.path.join(root, p + '.py'))]
if missing:
    print('\\n'.join(missing))
    sys.exit(${MISSING_FILES_EXIT})
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    for p in paths:
        full = os.path.join(root, p)
        if not os.path.exists(full) and os.path.exists(full + '.py'):
            full += '.py'
        if os.path.isdir(full):
            for d, dirs, files in os.walk(full):
                dirs[:] = sorted(x for x in dirs if x != '__pycache__')
                for f in sorted(files):
                    z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), root))
        else:
            z.write(full, os.path.relpath(full, root))
sys.stdout.write(base64.b64encode(buf.getvalue()).decode())
`
  const run = runNativePython(code, { cwd, timeoutMs: 120_000 })
  if (run.exitCode === MISSING_FILES_EXIT) return { ok: false, missing: run.stdout.trim().split('\n') }
  if (run.exitCode !== 0)
    throw new Error(`${suite.id}: cannot bundle ${paths.join(', ')}: ${run.stderr.trim()}`)
  return { ok: true, zip: run.stdout }
}

/** Neither side ran: the module's test files are not in the suite's source root. */
function missingFiles(suite: CompatSuite, module: CompatModule, missing: string[]): ModuleComparison {
  const side: SideResult = {
    status: 'not run',
    counts: { ran: 0, failed: 0, skipped: 0 },
    wallMs: 0,
    fuel: null,
    lastStarted: null,
    message: `test files missing from ${suite.sourceRoot}: ${missing.join(', ')}`
  }
  return {
    suite: suite.id,
    module: module.name,
    native: side,
    sandbox: side,
    differences: [],
    status: 'missing',
    stoppedIn: null
  }
}

function streamText(outputs: Output[], name: 'stdout' | 'stderr'): string {
  return outputs.map((o) => (o.type === 'stream' && o.name === name ? o.text : '')).join('')
}

function tail(text: string, lines = 5): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('\x1e'))
    .slice(-lines)
    .join('\n')
}

function runNative(
  suite: CompatSuite,
  module: CompatModule,
  timeoutMs: number
): { side: SideResult; stream: string } {
  const dir = mkdtempSync(join(tmpdir(), `fuelbook-compat-${module.name}-`))
  try {
    // The unprivileged user the native run drops to must be able to write its scratch folder.
    chmodSync(dir, 0o777)
    const run = runNativePython(suite.runner(module, null, join(dir, 'work')), {
      cwd: dir,
      timeoutMs,
      unprivileged: true
    })
    const parsed = parseOutcomes(run.stderr)
    return {
      stream: run.stderr,
      side: {
        status: parsed.done ? 'ok' : run.timedOut ? 'timeout' : 'failed',
        counts: countOutcomes(parsed.tests),
        wallMs: run.wallMs,
        fuel: null,
        lastStarted: parsed.lastStarted,
        message: parsed.done ? null : tail(run.stderr)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Unpacks the bundle into SANDBOX_LIB and makes it read-only there: natively the tests run as an
 * unprivileged user under a root-owned Lib/test, so tests that need to write the installed
 * package (zipfile's PyZipFile ones) skip on both sides instead of running on a partial copy.
 */
function installCell(zip: string): string {
  return `import base64, io, os, zipfile
zipfile.ZipFile(io.BytesIO(base64.b64decode('${zip}'))).extractall(${JSON.stringify(SANDBOX_LIB)})
for folder, _, files in os.walk(${JSON.stringify(SANDBOX_LIB)}, topdown=False):
    for name in files:
        os.chmod(os.path.join(folder, name), 0o444)
    os.chmod(folder, 0o555)
`
}

async function runSandbox(
  suite: CompatSuite,
  module: CompatModule,
  host: KernelHost,
  zip: string,
  timeoutMs: number
): Promise<{ side: SideResult; stream: string }> {
  const kernel = host.createKernel()
  try {
    const limits = { memoryBytes: MEMORY_BYTES, timeoutMs, outputBytes: OUTPUT_BYTES, fsBytes: FS_BYTES }
    const install = await kernel.run(installCell(zip), { limits: { ...limits, fuel: INSTALL_FUEL } })
    if (install.status !== 'ok')
      throw new Error(
        `${module.name}: copying the test files into the sandbox failed: ${install.status} ${streamText(install.outputs, 'stderr')}`
      )
    const run = await kernel.run(suite.runner(module, SANDBOX_LIB, SANDBOX_WORKDIR), {
      limits: { ...limits, fuel: module.fuel ?? DEFAULT_MODULE_FUEL }
    })
    const stream = streamText(run.outputs, 'stderr')
    const parsed = parseOutcomes(stream)
    const finished = parsed.done && run.status !== 'out_of_fuel'
    return {
      stream,
      side: {
        status: finished ? 'ok' : run.status,
        counts: countOutcomes(parsed.tests),
        wallMs: run.wallMs,
        fuel: run.fuelConsumed,
        lastStarted: parsed.lastStarted,
        message: finished ? null : (run.message ?? tail(stream))
      }
    }
  } finally {
    await kernel.dispose()
  }
}

export async function compareModule(
  suite: CompatSuite,
  module: CompatModule,
  host: KernelHost,
  options: HarnessOptions
): Promise<ModuleComparison> {
  const log = options.log ?? (() => undefined)
  const scratch = mkdtempSync(join(tmpdir(), 'fuelbook-compat-bundle-'))
  let bundled: Bundle
  try {
    bundled = bundle(suite, suite.files(module), scratch)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  if (!bundled.ok) {
    log(`${module.name}: test files missing (${bundled.missing.join(', ')}), not run`)
    return missingFiles(suite, module, bundled.missing)
  }
  const zip = bundled.zip
  log(`${module.name}: native…`)
  const { side: native, stream: nativeStream } = runNative(suite, module, options.timeoutMs)
  log(`${module.name}: native ${native.status} in ${(native.wallMs / 1000).toFixed(1)} s; sandbox…`)
  const inside = await runSandbox(suite, module, host, zip, options.timeoutMs)
  const nativeTests = parseOutcomes(nativeStream).tests
  const compared = compareOutcomes(nativeTests, parseOutcomes(inside.stream).tests, [
    ...(module.rules ?? []),
    ...suite.rules
  ])
  // A run that stopped never reached the rest: those tests are not differences.
  const differences = inside.side.status === 'ok' ? compared : compared.filter((d) => d.sandbox !== 'missing')
  const stoppedTest = inside.side.lastStarted
  const stoppedIn =
    stoppedTest === null
      ? null
      : { test: stoppedTest, nativeSeconds: nativeTests.get(stoppedTest)?.seconds ?? null }
  const status: ComparisonStatus =
    inside.side.status !== 'ok'
      ? 'incomplete'
      : differences.length === 0
        ? 'same'
        : differences.every((d) => d.why !== null)
          ? 'explained'
          : 'differs'
  log(
    `${module.name}: sandbox ${inside.side.status} in ${(inside.side.wallMs / 1000).toFixed(1)} s → ${status}`
  )
  return {
    suite: suite.id,
    module: module.name,
    native,
    sandbox: inside.side,
    differences,
    status,
    stoppedIn
  }
}
