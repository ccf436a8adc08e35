/**
 * Files the CLI writes (exports, imported notebooks) appear whole or not at all: written to a
 * temporary file in the same folder, then renamed over the target.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** A temporary path beside `target` (same filesystem, so the final rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
}

export function writeFileAtomic(target: string, content: string): void {
  const temp = tempPathFor(target)
  try {
    writeFileSync(temp, content, { encoding: 'utf8', flag: 'wx' })
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/** Why `target` cannot be written to, or null; `force` allows replacing an existing file. */
export function refuseTarget(target: string, force: boolean): string | null {
  if (!existsSync(dirname(target))) return `the folder ${dirname(target)} does not exist`
  if (!existsSync(target)) return null
  if (statSync(target).isDirectory()) return `${target} is a folder`
  return force ? null : `${target} already exists (use --force to replace it)`
}
