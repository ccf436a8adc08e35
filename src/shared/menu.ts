/**
 * The one message the desktop shell sends the renderer besides service events: "the user picked this
 * item in the application menu". The renderer runs it through the same action registry as its keys and
 * command palette, so a menu item and its shortcut can never do different things.
 */

/** Main → renderer channel of menu commands. */
export const IPC_MENU_CHANNEL = 'fuelbook:menu'

export interface MenuCommand {
  /** An action id of the registry (src/shared/actions.ts), e.g. 'run-all'. */
  action: string
  /**
   * A file the shell already chose in a native dialog, for actions that need one ('save-as'):
   * the renderer skips its own path prompt.
   */
  path?: string
}

/** What the preload adds to NotebookClient: a subscription to menu commands, returning an unsubscribe. */
export interface MenuBridge {
  onMenuAction(listener: (command: MenuCommand) => void): () => void
  /** The path of a file dropped on the window (Electron's webUtils; File.path no longer exists). */
  pathForFile(file: File): string
}

/** Validates a payload from the other side of the bridge (the preload does not trust main blindly either). */
export function isMenuCommand(value: unknown): value is MenuCommand {
  if (typeof value !== 'object' || value === null) return false
  const { action, path } = value as Record<string, unknown>
  return (
    typeof action === 'string' &&
    /^[a-z][a-z-]{0,40}$/.test(action) &&
    (path === undefined || (typeof path === 'string' && path.length > 0 && path.length <= 4096))
  )
}
