/** Installs the application menu from buildMenuTemplate and rebuilds it when recents or the theme change. */
import { Menu } from 'electron'
import type { NotebookSummary } from '../../shared/notebook'
import { buildMenuTemplate, type MenuHandlers, type Theme } from './menu-template'

export interface MenuState {
  recent(): Promise<NotebookSummary[]>
  theme(): Promise<Theme>
}

export function installMenu(
  handlers: MenuHandlers,
  state: MenuState,
  devTools: boolean
): () => Promise<void> {
  let pending: Promise<void> = Promise.resolve()
  const refresh = async () => {
    const [recent, theme] = await Promise.all([
      state.recent().catch(() => []),
      state.theme().catch(() => 'system' as const)
    ])
    const template = buildMenuTemplate(process.platform, recent, handlers, { theme, devTools })
    Menu.setApplicationMenu(Menu.buildFromTemplate(template))
  }
  // Serialised, so a slow recents read can never install an older menu over a newer one.
  return () => (pending = pending.then(refresh, refresh))
}
