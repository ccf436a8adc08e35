import { describe, expect, it } from 'vitest'
import { exportFilename, folderOf, kindOfName, pickedPath, shownKinds } from '../../src/shared/file-dialog'
import { DEFAULT_APP_SETTINGS, normalizeAppSettings } from '../../src/shared/app-settings'

describe('the file dialog picks', () => {
  it('a name inside the folder shown, with the purpose’s extension added when missing', () => {
    expect(pickedPath('/home/ana/q3', 'sales', 'save-as')).toBe('/home/ana/q3/sales.fuelbook')
    expect(pickedPath('/home/ana/q3/', 'sales.fuelbook', 'save-as')).toBe('/home/ana/q3/sales.fuelbook')
    expect(pickedPath('/home/ana', ' report ', 'export-html')).toBe('/home/ana/report.html')
    expect(pickedPath('/home/ana', 'old.IPYNB', 'export-ipynb')).toBe('/home/ana/old.IPYNB')
    expect(pickedPath('C:\\Users\\ana', 'sales', 'save-as')).toBe('C:\\Users\\ana\\sales.fuelbook')
  })

  it('a typed absolute path as typed, and nothing for an empty name', () => {
    expect(pickedPath('/home/ana', '/srv/data/x', 'save-as')).toBe('/srv/data/x.fuelbook')
    expect(pickedPath('/home/ana', '/srv/data/x.ipynb', 'open')).toBe('/srv/data/x.ipynb')
    expect(pickedPath('/home/ana', 'D:\\x.fuelbook', 'open')).toBe('D:\\x.fuelbook')
    expect(pickedPath('/home/ana', '   ', 'open')).toBeNull()
  })

  it('remembers the folder of the file picked, a root included', () => {
    expect(folderOf('/srv/data/x.fuelbook')).toBe('/srv/data')
    expect(folderOf('/x.fuelbook')).toBe('/')
    expect(folderOf('C:\\Users\\ana\\x.html')).toBe('C:\\Users\\ana')
    expect(folderOf('D:\\x.fuelbook')).toBe('D:\\')
    expect(folderOf('x.fuelbook')).toBeNull()
  })

  it('shows the files each purpose needs', () => {
    expect(shownKinds('open')).toEqual(['fuelbook', 'ipynb'])
    expect(shownKinds('save-as')).toEqual(['fuelbook'])
    expect(shownKinds('export-html')).toEqual(['html'])
    expect(kindOfName('a.Fuelbook')).toBe('fuelbook')
    expect(kindOfName('a.txt')).toBeNull()
  })

  it('suggests an export name from the title that every OS accepts', () => {
    expect(exportFilename('Q3: sales/costs', 'html')).toBe('Q3 sales costs.html')
    expect(exportFilename('...', 'ipynb')).toBe('notebook.ipynb')
  })

  it('remembers the last folder in the app settings, dropping what is not a path', () => {
    expect(DEFAULT_APP_SETTINGS.lastFolder).toBe('')
    expect(normalizeAppSettings({ lastFolder: '/home/ana/q3' }).lastFolder).toBe('/home/ana/q3')
    expect(normalizeAppSettings({ lastFolder: 42 }).lastFolder).toBe('')
    expect(normalizeAppSettings({ lastFolder: 'a\0b' }).lastFolder).toBe('')
  })
})
