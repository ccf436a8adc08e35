import type { Limits, NotebookSettings } from '../../shared/notebook'

/** The seed's budget: 400 M fuel. Memory, time and output caps chosen so a runaway cell stays harmless. */
export const DEFAULT_LIMITS: Limits = {
  fuel: 400_000_000,
  memoryBytes: 512 * 1024 * 1024,
  timeoutMs: 30_000,
  outputBytes: 2 * 1024 * 1024
}

export const DEFAULT_SETTINGS: NotebookSettings = { limits: DEFAULT_LIMITS, deterministic: false }
