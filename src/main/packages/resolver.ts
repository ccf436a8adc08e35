/**
 * A small backtracking resolver: requirements → one version of each distribution, every
 * specifier, `Requires-Python` and marker respected for the sandbox (requirement.ts). Wheels
 * the notebook already stores are tried first, so a satisfied requirement never asks the index
 * (offline re-runs). When no combination works, the error names the pins that conflict.
 */
import {
  evaluateMarker,
  formatRequirement,
  SANDBOX_ENVIRONMENT,
  versionSatisfies,
  type Requirement
} from './requirement'
import { ok, type Result } from '../../shared/result'
import type { WheelMetadata } from './wheel'

export interface Candidate {
  key: string
  name: string
  version: string
  filename: string
  /** From the index's `requires-python` (or the wheel's metadata); '' = any. */
  requiresPython: string
  stored: boolean
}

export interface CandidateSource {
  /** The wheel of `key` the notebook holds, if any. Never touches the network. */
  stored(key: string): Candidate | null
  /** Loadable wheels of `key` from the index or wheelhouse, newest first. Throws `PackageError` to refuse. */
  available(key: string): Promise<Candidate[]>
  metadata(candidate: Candidate): Promise<WheelMetadata>
}

/** A refusal with a message for the user (compiled-only, not found, no network…): not backtracked. */
export class PackageError extends Error {}

export interface Pin {
  candidate: Candidate
  /** Why it is installed: the typed requirement, or `<dist> <version> requires <req>`. */
  requestedBy: string
}

export interface Wanted {
  req: Requirement
  /** Who wants it: `<dist> <version> requires <req>`, or null when the user asked for it. */
  by: string | null
}

interface State {
  pins: Map<string, Pin>
  /** Every requirement met so far on each name, for the conflict message. */
  wanted: Map<string, Wanted[]>
  extras: Map<string, Set<string>>
}

type Outcome = Result<State>

/** Gives up after this many steps (a pathological index), with a message saying so. */
const MAX_STEPS = 10_000
const PYTHON_VERSION = SANDBOX_ENVIRONMENT['python_full_version']!

export async function resolve(requested: Wanted[], source: CandidateSource): Promise<Result<Pin[]>> {
  let steps = 0
  const solve = async (pending: Wanted[], state: State): Promise<Outcome> => {
    if (++steps > MAX_STEPS)
      return { ok: false, error: `gave up after ${MAX_STEPS} steps: the requirements are too tangled` }
    const [item, ...rest] = pending
    if (item === undefined) return ok(state)
    const { req } = item
    if (req.marker !== null && !evaluateMarker(req.marker)) return solve(rest, state)
    if (req.url !== null)
      throw new PackageError(
        `${req.name} @ ${req.url}: direct URLs are not supported; download the wheel and install the file`
      )
    const wanted = new Map(state.wanted)
    const onName = [...(wanted.get(req.key) ?? []), item]
    wanted.set(req.key, onName)
    const pinned = state.pins.get(req.key)
    if (pinned) {
      if (!versionSatisfies(pinned.candidate.version, req.specifier))
        return { ok: false, error: conflictMessage(req.name, onName) }
      const done = state.extras.get(req.key) ?? new Set<string>()
      const newExtras = req.extras.filter((e) => !done.has(e))
      if (newExtras.length === 0) return solve(rest, { ...state, wanted })
      const meta = await source.metadata(pinned.candidate)
      const extras = new Map(state.extras).set(req.key, new Set([...done, ...newExtras]))
      return solve([...rest, ...dependencies(meta, newExtras, false)], { ...state, wanted, extras })
    }
    const fits = (c: Candidate): boolean =>
      onName.every((w) => versionSatisfies(c.version, w.req.specifier)) &&
      (c.requiresPython === '' || versionSatisfies(PYTHON_VERSION, c.requiresPython))
    const stored = source.stored(req.key)
    const tried = new Set<string>()
    let firstFailure: Outcome | null = null
    const attempt = async (candidate: Candidate): Promise<Outcome | null> => {
      tried.add(candidate.version)
      const meta = await source.metadata(candidate)
      if (meta.requiresPython !== '' && !versionSatisfies(PYTHON_VERSION, meta.requiresPython)) return null
      const requestedBy = item.by ?? formatRequirement(req)
      const pins = new Map(state.pins).set(req.key, { candidate, requestedBy })
      const extras = new Map(state.extras).set(req.key, new Set(req.extras))
      const outcome = await solve([...rest, ...dependencies(meta, req.extras, true)], {
        pins,
        wanted,
        extras
      })
      if (outcome.ok) return outcome
      firstFailure ??= outcome
      return null
    }
    if (stored && fits(stored)) {
      const outcome = await attempt(stored)
      if (outcome) return outcome
    }
    const available = await source.available(req.key)
    for (const candidate of available) {
      if (tried.has(candidate.version) || !fits(candidate)) continue
      const outcome = await attempt(candidate)
      if (outcome) return outcome
    }
    if (firstFailure) return firstFailure
    const versions = available.map((c) => c.version)
    if (onName.length > 1) return { ok: false, error: conflictMessage(req.name, onName) }
    return {
      ok: false,
      error:
        versions.length === 0
          ? `${req.name} has no wheel Fuelbook can install`
          : `no version of ${req.name} matches ${formatRequirement(req)}${origin(item)} for Python ${PYTHON_VERSION}; available: ${versions.slice(0, 12).join(', ')}`
    }
  }
  const outcome = await solve(requested, { pins: new Map(), wanted: new Map(), extras: new Map() })
  if (!outcome.ok) return outcome
  return ok([...outcome.value.pins.values()])
}

/** The requirements a distribution adds: its base ones (when `base`) and those of `extras`. */
function dependencies(meta: WheelMetadata, extras: string[], base: boolean): Wanted[] {
  const by = `${meta.name} ${meta.version}`
  return meta.requiresDist
    .filter((r) => {
      if (r.marker === null) return base
      const inBase = evaluateMarker(r.marker, '')
      if (inBase) return base
      return extras.some((e) => evaluateMarker(r.marker!, e))
    })
    .map((req) => ({ req: { ...req, marker: null }, by: `${by} requires ${formatRequirement(req)}` }))
}

function conflictMessage(name: string, wanted: Wanted[]): string {
  const lines = wanted.map((w) => `${formatRequirement(w.req)}${origin(w)}`)
  return `no version of ${name} satisfies every requirement: ${lines.join('; ')}`
}

function origin(wanted: Wanted): string {
  return wanted.by === null ? ' (requested)' : ` (${wanted.by})`
}
