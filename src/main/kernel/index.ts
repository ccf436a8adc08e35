/** The kernel (docs/architecture.md, the snapshot chain): the service creates one host and one kernel per open notebook. */
export { createKernelHost, type KernelHostInternals, type KernelHostOptions } from './host'
export { SNAPSHOT_FORMAT, snapshotFromFile, snapshotToFile } from './persist'
export type { Kernel, KernelHost, KernelRunOptions, KernelRunResult, RunProgress } from './types'
export { toRunPythonResult, type RunPythonResult } from './run-result'
