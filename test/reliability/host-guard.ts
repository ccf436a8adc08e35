/**
 * "No host file touched": the host paths the corpus tries to create must not exist, and the host
 * files it tries to read keep their hashes. (Not the runtime's own files: engineers rebuild them
 * while suites run, and the sandbox only ever sees an in-memory copy.)
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { HOST_ESCAPE_PATHS } from './corpus'

const WATCHED = ['/etc/passwd', '/etc/hostname']

function hashOf(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent'
}

export class HostGuard {
  private readonly hashes = new Map(WATCHED.map((p) => [p, hashOf(p)]))

  /** What changed on the host since the guard was made; empty when nothing did. */
  changes(): string[] {
    const changed: string[] = []
    for (const path of HOST_ESCAPE_PATHS) if (existsSync(path)) changed.push(`created ${path}`)
    for (const [path, hash] of this.hashes) if (hashOf(path) !== hash) changed.push(`modified ${path}`)
    return changed
  }
}
