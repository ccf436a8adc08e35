/**
 * Which compiled better-sqlite3 addon the store loads. Plain Node (CLI, browser mode, tests) uses the
 * package's own build; the Electron shell sets the copy built for Electron's ABI (see
 * src/main/electron/native-sqlite.ts) before opening anything. Every `new Database` in the store passes
 * its options through `sqliteOptions`.
 */
let nativeBinding: string | null = null

export function setSqliteNativeBinding(path: string | null): void {
  nativeBinding = path
}

export function sqliteOptions<T extends object>(options: T): T & { nativeBinding?: string } {
  return nativeBinding ? { ...options, nativeBinding } : options
}
