/**
 * What the compatibility harness runs: suites of test modules (CPython's stdlib tests; a package's
 * own tests can be another suite), each run natively and inside the sandbox by harness.ts.
 * A suite says where its test files are, which of them a module needs in the sandbox, how to run
 * one module (a runner that prints unittest_runner.py's outcome lines) and which differences are
 * platform limits rather than bugs.
 */
import type { DifferenceRule } from './outcomes'

export interface CompatModule {
  name: string
  /** Also run by `npm test` (test/integration/compat-stdlib.test.ts): quick, must not regress. */
  quick?: boolean
  /** Files or folders below the suite's source root this module reads besides its own file. */
  data?: readonly string[]
  /** Fuel for the module's run inside (default DEFAULT_MODULE_FUEL). */
  fuel?: number
  /** Differences explained for this module only (checked before the suite's rules). */
  rules?: readonly DifferenceRule[]
}

export interface CompatSuite {
  id: string
  title: string
  /** A paragraph for docs/compatibility.md: what runs, with which runner, against what. */
  description: string
  /** The host folder the test files are copied from (paths in `files` are relative to it). */
  sourceRoot: string
  modules: readonly CompatModule[]
  /** Installs what the native side needs when it can; throws saying what is missing otherwise. */
  ensure(): void
  /** Files and folders (relative to sourceRoot) the sandbox needs to run `module`. */
  files(module: CompatModule): string[]
  /**
   * Python text that runs `module` and prints the outcome lines. `lib`: where the suite's files
   * are (first on sys.path), null natively; `workdir`: a scratch folder to run in.
   */
  runner(module: CompatModule, lib: string | null, workdir: string): string
  /** Differences every module of the suite may show, with their reasons (platform limits). */
  rules: readonly DifferenceRule[]
}

/** Budget for one module inside. 1 s of native CPython ≈ 20 G fuel of pure-Python work. */
export const DEFAULT_MODULE_FUEL = 200_000_000_000
