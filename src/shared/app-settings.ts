/**
 * App-wide preferences (every notebook, every window): theme, density, when long outputs scroll, and
 * the sidebar's layout. Kept by the service in the data folder, so browser mode remembers them across
 * ports and the desktop app across windows. One home for their defaults and bounds: the store cleans
 * what it reads and writes with `normalizeAppSettings`, the UI starts from `DEFAULT_APP_SETTINGS`.
 */
export type Theme = 'system' | 'light' | 'dark'
export type Density = 'comfortable' | 'compact'

export interface AppSettings {
  theme: Theme
  /** Compact fits more cells per screen: tighter spacing, stats line on hover only. */
  density: Density
  /** Outputs longer than this many lines scroll in a fixed-height box; 0 = never. */
  outputScrollLines: number
  /** Sidebar width in CSS pixels. */
  sidebarWidth: number
  /** Ids of the sidebar sections the user folded. */
  collapsedSections: string[]
  /** Where `%pip install` looks: a simple repository API in its JSON form (PEP 691). */
  packageIndexUrl: string
  /** Cap on the wheels one notebook carries, in MB (10^6 bytes). */
  packagesMaxMegabytes: number
  /** The folder browser mode's file dialog showed last ('' = the home folder). */
  lastFolder: string
}

export const THEMES: readonly Theme[] = ['system', 'light', 'dark']
export const DENSITIES: readonly Density[] = ['comfortable', 'compact']
export const SIDEBAR_WIDTH = { min: 160, max: 560 } as const
export const OUTPUT_SCROLL_LINES_MAX = 100_000
export const PACKAGES_MAX_MEGABYTES = { min: 1, max: 2000 } as const
export const FOLDER_PATH_MAX = 4096

export const DEFAULT_APP_SETTINGS: AppSettings = {
  theme: 'system',
  density: 'comfortable',
  outputScrollLines: 50,
  sidebarWidth: 264,
  collapsedSections: [],
  packageIndexUrl: 'https://pypi.org/simple/',
  packagesMaxMegabytes: 50,
  lastFolder: ''
}

const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n))

/** Settings from anything (a hand-edited file, an older version's file): what is unusable falls back. */
export function normalizeAppSettings(raw: unknown): AppSettings {
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const d = DEFAULT_APP_SETTINGS
  const pick = <T>(value: unknown, allowed: readonly T[], fallback: T): T =>
    allowed.includes(value as T) ? (value as T) : fallback
  const int = (value: unknown, min: number, max: number, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) ? clamp(Math.round(value), min, max) : fallback
  return {
    theme: pick(r['theme'], THEMES, d.theme),
    density: pick(r['density'], DENSITIES, d.density),
    outputScrollLines: int(r['outputScrollLines'], 0, OUTPUT_SCROLL_LINES_MAX, d.outputScrollLines),
    sidebarWidth: int(r['sidebarWidth'], SIDEBAR_WIDTH.min, SIDEBAR_WIDTH.max, d.sidebarWidth),
    collapsedSections: Array.isArray(r['collapsedSections'])
      ? r['collapsedSections'].filter((s): s is string => typeof s === 'string').slice(0, 20)
      : d.collapsedSections,
    packageIndexUrl: isHttpUrl(r['packageIndexUrl']) ? r['packageIndexUrl'] : d.packageIndexUrl,
    packagesMaxMegabytes: int(
      r['packagesMaxMegabytes'],
      PACKAGES_MAX_MEGABYTES.min,
      PACKAGES_MAX_MEGABYTES.max,
      d.packagesMaxMegabytes
    ),
    lastFolder: isFolderPath(r['lastFolder']) ? r['lastFolder'] : d.lastFolder
  }
}

export function isFolderPath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= FOLDER_PATH_MAX && !value.includes('\0')
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2000) return false
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol)
  } catch {
    return false
  }
}
