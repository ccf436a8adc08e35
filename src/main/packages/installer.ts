/**
 * One `%pip install`: requirements → resolution → downloads checked against their sha256 → the
 * wheels to store. Nothing is written here: the caller stores `put` in one transaction, so a
 * refusal at any step (no network, hash mismatch, conflict, size cap) leaves the notebook as it was.
 */
import { resolve as resolvePath } from 'node:path'
import type { PackageInfo } from '../../shared/packages'
import { fail, ok, type Result } from '../../shared/result'
import type { InstallArgs } from './pip-command'
import { parseRequirement, RequirementError } from './requirement'
import { PackageError, resolve, type Wanted } from './resolver'
import { requirementOfWheelFile, sha256Hex, WheelSources, type StoredWheel } from './sources'

export interface InstallContext {
  stored: StoredWheel[]
  /** The app's index URL setting (PEP 691 JSON). */
  defaultIndexUrl: string
  /** The notebook's cap on the bytes of all its wheels. */
  maxBytes: number
  /** Relative wheel and folder paths are taken from here. */
  cwd: string
  fetch?: typeof fetch
  /** One line on what the install does now, for a UI to show while it waits. */
  progress?: (text: string) => void
}

/** A row of the notebook's `packages` table with the wheel's bytes (src/main/store/package-table.ts). */
export type WheelToStore = Omit<PackageInfo, 'installedAt'> & { wheel: Uint8Array }

export interface PlannedInstall {
  /** New or replaced wheels (already stored ones are not repeated). */
  put: WheelToStore[]
  /** `name version` of every distribution the request resolved to, requested ones first. */
  resolved: string[]
}

export async function planInstall(
  args: InstallArgs,
  context: InstallContext
): Promise<Result<PlannedInstall>> {
  try {
    return await plan(args, context)
  } catch (error) {
    if (error instanceof PackageError || error instanceof RequirementError) return fail(error.message)
    throw error
  }
}

async function plan(args: InstallArgs, context: InstallContext): Promise<Result<PlannedInstall>> {
  const wheelFiles = args.wheelFiles.map((p) => resolvePath(context.cwd, p))
  const requested: Wanted[] = [...args.requirements, ...wheelFiles.map(requirementOfWheelFile)].map(
    (text) => ({
      req: parseRequirement(text),
      by: null
    })
  )
  const sources = new WheelSources({
    stored: context.stored,
    indexUrl: args.noIndex ? null : (args.indexUrl ?? context.defaultIndexUrl),
    findLinks: args.findLinks.map((p) => resolvePath(context.cwd, p)),
    wheelFiles,
    upgrade: args.upgrade,
    ...(context.fetch ? { fetch: context.fetch } : {})
  })
  context.progress?.(`Resolving ${requested.map((w) => w.req.name).join(', ')}…`)
  const resolution = await resolve(requested, sources)
  if (!resolution.ok) return fail(`cannot install: ${resolution.error}`)
  const put: WheelToStore[] = []
  const resolved: string[] = []
  for (const pin of resolution.value) {
    const meta = await sources.metadata(pin.candidate)
    resolved.push(`${meta.name} ${pin.candidate.version}`)
    if (pin.candidate.stored) continue
    context.progress?.(`Downloading ${pin.candidate.filename}…`)
    const wheel = await sources.download(pin.candidate)
    put.push({
      name: pin.candidate.key,
      displayName: meta.name,
      version: pin.candidate.version,
      filename: pin.candidate.filename,
      sha256: sha256Hex(wheel),
      bytes: wheel.byteLength,
      requestedBy: pin.requestedBy,
      wheel
    })
  }
  const kept = context.stored.filter((s) => !put.some((p) => p.name === s.key))
  const total = [...kept.map((s) => s.size), ...put.map((p) => p.bytes)].reduce((a, b) => a + b, 0)
  if (total > context.maxBytes) {
    return fail(
      `cannot install: the notebook's packages would take ${megabytes(total)}, over its limit of ${megabytes(context.maxBytes)} ` +
        `(Settings ▸ Packages size limit); nothing was installed`
    )
  }
  return ok({ put, resolved })
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}
