/**
 * Why a package is in the notebook, in the sidebar's words. The service records the requirement the
 * user typed, or `<dist> <version> requires <requirement>` for a dependency (src/shared/packages.ts).
 */
export function packageOrigin(requestedBy: string): string {
  const dependency = / requires (.+)$/.exec(requestedBy)
  if (dependency) return `needed by ${requestedBy.slice(0, dependency.index)} (${dependency[1]})`
  return `installed as ${requestedBy}`
}
