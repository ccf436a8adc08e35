/**
 * PEP 508 requirements ("name[extra]>=1,<2; python_version >= '3.8'") and environment markers,
 * evaluated for Fuelbook's one platform. Versions and specifiers are PEP 440, through
 * @renovatebot/pep440; this file only parses the requirement and marker grammar around them.
 */
import { satisfies, valid, compare } from '@renovatebot/pep440'

/** What `sys`, `platform` and `os` say inside the sandbox (resources/python/README.md). */
export const SANDBOX_ENVIRONMENT: Readonly<Record<string, string>> = {
  python_version: '3.11',
  python_full_version: '3.11.2',
  implementation_name: 'cpython',
  implementation_version: '3.11.2',
  platform_python_implementation: 'CPython',
  os_name: 'posix',
  sys_platform: 'wasi',
  platform_system: '',
  platform_machine: 'wasm32',
  platform_release: '',
  platform_version: ''
}

export interface Requirement {
  /** As written (for messages). */
  name: string
  /** PEP 503 normalised: the key everywhere else. */
  key: string
  extras: string[]
  /** PEP 440 specifier set, '' for any version. */
  specifier: string
  /** A direct reference (`name @ url`): refused, Fuelbook installs from an index or a wheel file. */
  url: string | null
  marker: Marker | null
}

export type Marker =
  | { op: 'and' | 'or'; left: Marker; right: Marker }
  | { op: 'compare'; left: MarkerValue; comparator: string; right: MarkerValue }

type MarkerValue = { variable: string } | { literal: string }

/** PEP 503: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/

export class RequirementError extends Error {}

/** Parses one PEP 508 requirement; throws RequirementError with the reason. */
export function parseRequirement(text: string): Requirement {
  const [head, markerText] = splitMarker(text)
  let rest = head.trim()
  const nameMatch = NAME.exec(rest)
  if (!nameMatch) throw new RequirementError(`"${text.trim()}" is not a package requirement`)
  const name = nameMatch[0]
  rest = rest.slice(name.length).trim()
  let extras: string[] = []
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) throw new RequirementError(`"${text.trim()}": unclosed [extras]`)
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => normalizeName(e.trim()))
      .filter((e) => e !== '')
    rest = rest.slice(close + 1).trim()
  }
  let url: string | null = null
  let specifier = ''
  if (rest.startsWith('@')) {
    url = rest.slice(1).trim()
  } else {
    if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim()
    specifier = rest
      .split(',')
      .map((s) => s.replace(/\s+/g, ''))
      .filter((s) => s !== '')
      .join(',')
    if (specifier !== '' && !isValidSpecifier(specifier))
      throw new RequirementError(`"${text.trim()}": "${rest}" is not a version specifier`)
  }
  return {
    name,
    key: normalizeName(name),
    extras,
    specifier,
    url,
    marker: markerText === null ? null : parseMarker(markerText)
  }
}

/** The requirement as pip prints it: `name[extras]specifier` (markers left out). */
export function formatRequirement(req: Requirement): string {
  const extras = req.extras.length > 0 ? `[${req.extras.join(',')}]` : ''
  return `${req.name}${extras}${req.specifier}`
}

function splitMarker(text: string): [string, string | null] {
  // A `;` inside a URL is part of it only when not followed by whitespace (PEP 508).
  const match = /;\s/.exec(text) ?? (/@/.test(text) ? null : /;/.exec(text))
  if (!match) return [text, null]
  return [text.slice(0, match.index), text.slice(match.index + 1)]
}

const SPECIFIER_CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9.*+!_-]+)$/

function isValidSpecifier(specifier: string): boolean {
  return specifier.split(',').every((clause) => {
    const m = SPECIFIER_CLAUSE.exec(clause)
    if (!m) return false
    const version = m[2]!.replace(/\.\*$/, '')
    return m[1] === '===' || valid(version) !== null
  })
}

/** Does `version` satisfy the specifier set? Pre-releases only when the specifier names one. */
export function versionSatisfies(version: string, specifier: string): boolean {
  if (specifier === '') return valid(version) !== null && !isPrerelease(version)
  const allowPre = /\d(a|b|rc|c|alpha|beta|pre|preview|dev)\d*/i.test(specifier)
  if (!allowPre && isPrerelease(version)) return false
  return satisfies(version, specifier)
}

function isPrerelease(version: string): boolean {
  return /\d[._-]?(a|b|rc|c|alpha|beta|pre|preview|dev)[._-]?\d*/i.test(version)
}

/** Newest first; versions PEP 440 cannot parse are dropped. */
export function sortVersionsDescending(versions: string[]): string[] {
  return versions.filter((v) => valid(v) !== null).sort((a, b) => compare(b, a))
}

// ---- markers ---------------------------------------------------------------------------------

const MARKER_TOKEN =
  /\s*(\(|\)|===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b|and\b|or\b|'[^']*'|"[^"]*"|[A-Za-z_.]+)/y

export function parseMarker(text: string): Marker {
  const tokens: string[] = []
  MARKER_TOKEN.lastIndex = 0
  let position = 0
  while (position < text.length) {
    if (/^\s*$/.test(text.slice(position))) break
    MARKER_TOKEN.lastIndex = position
    const m = MARKER_TOKEN.exec(text)
    if (!m)
      throw new RequirementError(`marker "${text.trim()}": cannot read "${text.slice(position).trim()}"`)
    tokens.push(m[1]!.replace(/\s+/g, ' '))
    position = MARKER_TOKEN.lastIndex
  }
  let at = 0
  const fail = (): never => {
    throw new RequirementError(`marker "${text.trim()}" is not a valid environment marker`)
  }
  const value = (): MarkerValue => {
    const token = tokens[at++] ?? fail()
    if (/^['"]/.test(token)) return { literal: token.slice(1, -1) }
    if (token === 'extra' || token in SANDBOX_ENVIRONMENT) return { variable: token }
    return fail()
  }
  const atom = (): Marker => {
    if (tokens[at] === '(') {
      at++
      const inner = or()
      if (tokens[at++] !== ')') fail()
      return inner
    }
    const left = value()
    const comparator = tokens[at++] ?? fail()
    if (!/^(===|==|!=|<=|>=|~=|<|>|in|not in)$/.test(comparator)) fail()
    return { op: 'compare', left, comparator, right: value() }
  }
  const and = (): Marker => {
    let left = atom()
    while (tokens[at] === 'and') {
      at++
      left = { op: 'and', left, right: atom() }
    }
    return left
  }
  const or = (): Marker => {
    let left = and()
    while (tokens[at] === 'or') {
      at++
      left = { op: 'or', left, right: and() }
    }
    return left
  }
  const marker = or()
  if (at !== tokens.length) fail()
  return marker
}

/** Evaluates a marker in the sandbox's environment; `extra` is the extra being installed ('' for none). */
export function evaluateMarker(marker: Marker, extra = ''): boolean {
  if (marker.op !== 'compare') {
    const left = evaluateMarker(marker.left, extra)
    return marker.op === 'and'
      ? left && evaluateMarker(marker.right, extra)
      : left || evaluateMarker(marker.right, extra)
  }
  const resolve = (v: MarkerValue): string =>
    'literal' in v ? v.literal : v.variable === 'extra' ? extra : SANDBOX_ENVIRONMENT[v.variable]!
  const isExtra = (v: MarkerValue): boolean => 'variable' in v && v.variable === 'extra'
  let left = resolve(marker.left)
  let right = resolve(marker.right)
  // Extras compare by their normalised names (PEP 685).
  if (isExtra(marker.left) || isExtra(marker.right)) {
    left = normalizeName(left)
    right = normalizeName(right)
  }
  switch (marker.comparator) {
    case 'in':
      return right.includes(left)
    case 'not in':
      return !right.includes(left)
  }
  if (valid(left) !== null && valid(right) !== null && marker.comparator !== '===') {
    return satisfies(left, `${marker.comparator}${right}`)
  }
  switch (marker.comparator) {
    case '==':
    case '===':
      return left === right
    case '!=':
      return left !== right
    default:
      // PEP 508: an ordering comparison of non-versions is an error; treat it as not matching.
      return false
  }
}
