/**
 * The runtime folder the tests load: resources/python, or FUELBOOK_RUNTIME_DIR when a helper
 * tests a development runtime (`ZIP_ONLY_OUT=dir scripts/build-python-wasi.sh`, see
 * runtime/README.md). Either folder must match its own MANIFEST.json; CI sets no override.
 */
import { resolve } from 'node:path'
import { runtimeDirOf } from '../../src/main/sandbox/runtime'

export const RUNTIME_DIR = runtimeDirOf(resolve(__dirname, '../..'))
