import { DEFAULT_LIMITS } from '../../shared/limits'
import type { NotebookSettings } from '../../shared/notebook'

/** A new notebook's settings: the default limits, nondeterministic. */
export const DEFAULT_SETTINGS: NotebookSettings = { limits: { ...DEFAULT_LIMITS }, deterministic: false }
