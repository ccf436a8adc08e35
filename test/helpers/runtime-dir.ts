/**
 * The runtime folder the tests load: resources/python, or FUELBOOK_RUNTIME_DIR when a helper
 * tests a development runtime (`ZIP_ONLY_OUT=dir scripts/build-python-wasi.sh`, see
 * runtime/README.md). Either folder must match its own MANIFEST.json; CI sets no override.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { runtimeDirOf } from '../../src/main/sandbox/runtime'

export const RUNTIME_DIR = runtimeDirOf(resolve(__dirname, '../..'))

/** Whether this runtime's reactor imports fuelbook.fuel_consumed (`_fuelbook.fuel()`). */
export function runtimeMeasuresFuel(): boolean {
  const manifest = JSON.parse(readFileSync(join(RUNTIME_DIR, 'MANIFEST.json'), 'utf8')) as {
    imports?: { fuelbook?: string[] }
  }
  return manifest.imports?.fuelbook?.includes('fuel_consumed') === true
}

/** The timing magics' fuel figure: a count (with a suffix, e.g. " per loop"), or their one line. */
export function fuelFigurePattern(suffix = ''): string {
  return runtimeMeasuresFuel()
    ? `[\\d,]+${suffix}`
    : 'fuel not available \\(this runtime cannot read its fuel meter\\)'
}
