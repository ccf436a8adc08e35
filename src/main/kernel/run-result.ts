/**
 * A kernel run as one flat, JSON-ready object: what `run_python_code` returns. Shared by the
 * library's runPython and `fuelbook exec --json`, so both give exactly the same shape.
 */
import type { FuelProfile } from '../../shared/fuel-profile'
import { runCostOf, type ErrorOutput, type Output, type RunCost, type RunStatus } from '../../shared/notebook'
import type { KernelRunResult } from './types'

/** The run's cost (RunCost: fuel, memory in pages and bytes, time) and what it printed. */
export interface RunPythonResult extends RunCost {
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
    ...runCostOf(result),
    profile: result.profile
  }
}
