/** View-only state of the notebook screen: which dialog is open, sidebar, popovers. */
import type { CellId } from '../../../../shared/notebook'

export type Dialog = 'shortcuts' | 'palette' | 'settings' | 'save-as' | null

export class UiState {
  dialog = $state<Dialog>(null)
  sidebarOpen = $state(true)
  historyCellId = $state<CellId | null>(null)
  readonly isMac: boolean

  constructor(isMac: boolean) {
    this.isMac = isMac
  }

  open(dialog: Dialog): void {
    this.dialog = dialog
  }

  close(): void {
    this.dialog = null
  }
}
