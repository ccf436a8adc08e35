/**
 * Every compatibility suite, in the order docs/compatibility.md shows them. A package's own tests
 * join by adding a suite here (its module list, and a runner that prints unittest_runner.py's
 * outcome lines, e.g. a pytest plugin).
 */
import { STDLIB_SUITE } from './stdlib'
import type { CompatSuite } from './suite'

export const COMPAT_SUITES: readonly CompatSuite[] = [STDLIB_SUITE]
