/**
 * Where a worker_threads entry of the main process is, and how to start it: the built bundle's
 * `out/main/<name>.js` (electron-vite puts every entry and shared chunk there), or from sources
 * (vitest, tsx) the `.ts` file through tsx.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

export interface WorkerScript {
  path: string
  /** Load `path` through tsx (TypeScript sources: vitest, tsx scripts). */
  typescript?: boolean
}

/** The entry `name` next to `here` (the caller's own folder), built or as source. */
export function findWorkerScript(here: string, name: string): WorkerScript {
  const built = join(here, `${name}.js`)
  if (existsSync(built)) return { path: built }
  const source = join(here, `${name}.ts`)
  if (existsSync(source)) return { path: source, typescript: true }
  const fromOut = join(here, '..', '..', 'out', 'main', `${name}.js`)
  if (existsSync(fromOut)) return { path: fromOut }
  throw new Error(`worker ${name} not found next to ${here} (run the build first)`)
}

export function startWorker(script: WorkerScript): Worker {
  // `--import tsx` in execArgv does not reach a worker's module loader on Node 20; tsx's CJS
  // hook registered inside the worker does.
  return script.typescript
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script.path)})`, { eval: true })
    : new Worker(script.path)
}
