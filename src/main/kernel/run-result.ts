/**
 * A kernel run as one flat, JSON-ready object: what `run_python_code` returns. Shared by the
 * library's runPython and `fuelbook exec --json`, so both give exactly the same shape.
 */
import type { FuelProfile } from '../../shared/fuel-profile'
import type { ErrorOutput, Output, RunStatus } from '../../shared/notebook'
import type { KernelRunResult } from './types'

export interface RunPythonResult {
  status: RunStatus
  /** sys.exit / os._exit code, else null. */
  exitCode: number | null
  stdout: string
  stderr: string
  /** Everything in order: streams, rich MIME bundles, the error, a truncated marker. */
  outputs: Output[]
  error: Pick<ErrorOutput, 'ename' | 'evalue' | 'traceback'> | null
  /** Readable reason for a killed run ("out of fuel: …"), else null. */
  message: string | null
  fuelConsumed: number
  fuelBudget: number
  /** Linear memory at the end, in 64 KiB pages ("mem size pages"). */
  memoryPages: number
  /** Linear memory at the end, in bytes ("data length"). */
  memoryBytes: number
  peakMemoryBytes: number
  wallMs: number
  /** Where the fuel went (runPython with `profile: true`), else null. */
  profile: FuelProfile | null
}

export function toRunPythonResult(result: KernelRunResult): RunPythonResult {
  const text = (name: 'stdout' | 'stderr'): string =>
    result.outputs.map((o) => (o.type === 'stream' && o.name === name ? o.text : '')).join('')
  const error = result.outputs.find((o): o is ErrorOutput => o.type === 'error')
  return {
    status: result.status,
    exitCode: result.exitCode,
    stdout: text('stdout'),
    stderr: text('stderr'),
    outputs: result.outputs,
    error: error ? { ename: error.ename, evalue: error.evalue, traceback: error.traceback } : null,
    message: result.message,
    fuelConsumed: result.fuelConsumed,
    fuelBudget: result.fuelBudget,
    memoryPages: result.memoryPages,
    memoryBytes: result.memoryBytes,
    peakMemoryBytes: result.peakMemoryBytes,
    wallMs: result.wallMs,
    profile: result.profile
  }
}
