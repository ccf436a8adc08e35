import type { NotebookSettings } from '../../shared/notebook'
import { DEFAULT_LIMITS } from '../kernel/kernel'

/** The seed's budget: 400 M fuel. Memory, time, output and file-system caps chosen so a runaway cell stays harmless. */
export { DEFAULT_LIMITS }

export const DEFAULT_SETTINGS: NotebookSettings = { limits: DEFAULT_LIMITS, deterministic: false }
