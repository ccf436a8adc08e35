/** A wheel a notebook carries, as the UI, the CLI and the exports list it (src/main/packages/README.md). */
export interface PackageInfo {
  /** PEP 503 normalised name: the key. */
  name: string
  /** As the wheel's METADATA spells it. */
  displayName: string
  version: string
  filename: string
  /** Hex sha256 of the stored wheel. */
  sha256: string
  bytes: number
  /** The requirement typed, or `<dist> <version> requires <req>` for a dependency. */
  requestedBy: string
  /** ms since the epoch. */
  installedAt: number
}
