/**
 * Whether a path can be a notebook at all, before the store opens it. Its own module, free of
 * SQLite: every command checks its argument with it, and `fuelbook exec`, which loads only what
 * it needs (src/main/kernel/README.md, "Cold start"), reaches it through the command-line prologue.
 */
import { existsSync, statSync } from 'node:fs'

/** A message for a path that cannot be a notebook before the store even looks at it, or null. */
export function missingNotebook(path: string): string | null {
  if (!existsSync(path)) return `${path}: no such file`
  if (statSync(path).isDirectory()) return `${path} is a folder, not a notebook`
  return null
}
