import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ADDON_FILE, BUILD_INFO_FILE, PACKAGED_NATIVE_DIR } from '../../src/main/electron/native-sqlite'

// electron-builder cannot run here (it downloads Electron), so the packaging config is checked against
// the code that reads the packaged layout, and the icons against their formats.
const root = resolve(__dirname, '../..')
const icons = join(root, 'resources', 'icons')
interface BuilderConfig {
  directories: { buildResources: string }
  files: string[]
  asarUnpack: string[]
  extraResources: { from: string; to: string; filter?: string[] }[]
  npmRebuild: boolean
  fileAssociations: { ext: string; icon?: string; mimeType?: string }[]
  linux: { target: string[]; icon: string }
  mac: { target: string[]; icon: string }
  win: { target: string[]; icon: string }
}
// The YAML parser electron-builder itself reads the file with (its dependency, untyped).
const { load } = createRequire(__filename)('js-yaml') as { load(text: string): unknown }
const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig

describe('packaging config', () => {
  it('builds AppImage + deb, dmg and nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target).toEqual(['nsis'])
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.dist).toMatch(
      /electron-native\.mjs --required && electron-vite build && electron-builder$/
    )
  })

  it('ships the python runtime where the shell looks (resourcesPath/resources/python)', () => {
    expect(config.extraResources).toContainEqual({ from: 'resources/python', to: 'resources/python' })
    expect(existsSync(join(root, 'resources', 'python', 'MANIFEST.json'))).toBe(true)
  })

  it('ships the Electron-ABI SQLite where native-sqlite.ts looks; no in-place rebuild; native code unpacked', () => {
    expect(config.extraResources).toContainEqual({
      from: '.electron-native',
      to: PACKAGED_NATIVE_DIR,
      filter: [ADDON_FILE, BUILD_INFO_FILE]
    })
    expect(config.npmRebuild).toBe(false)
    expect(config.asarUnpack).toContain('**/*.node')
    expect(config.files).toContain('out/**')
  })

  it('associates .fuelbook (and .ipynb) with the document icon, present for every platform', () => {
    const fuelbook = config.fileAssociations.find((a) => a.ext === 'fuelbook')!
    expect(fuelbook).toMatchObject({ icon: 'fuelbook-doc', mimeType: 'application/x-fuelbook' })
    expect(config.fileAssociations.map((a) => a.ext)).toEqual(['fuelbook', 'ipynb'])
    expect(resolve(root, config.directories.buildResources)).toBe(icons)
    for (const file of ['fuelbook-doc.icns', 'fuelbook-doc.ico', config.mac.icon, config.win.icon])
      expect(existsSync(join(icons, file)), file).toBe(true)
    expect(existsSync(join(root, config.linux.icon, '512x512.png'))).toBe(true)
  })
})

describe('icons', () => {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

  it('PNGs are 1024×1024 RGBA', () => {
    for (const name of ['icon.png', 'fuelbook-doc.png']) {
      const png = readFileSync(join(icons, name))
      expect(png.subarray(0, 8).equals(PNG), name).toBe(true)
      expect([png.readUInt32BE(16), png.readUInt32BE(20), png[25]], name).toEqual([1024, 1024, 6])
    }
  })

  it('.ico holds 16…256 px PNG entries; .icns holds 16…1024 px', () => {
    for (const name of ['icon', 'fuelbook-doc']) {
      const ico = readFileSync(join(icons, `${name}.ico`))
      expect(ico.readUInt16LE(2)).toBe(1)
      const count = ico.readUInt16LE(4)
      const sizes = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256)
      expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256])
      for (let i = 0; i < count; i++) {
        const offset = ico.readUInt32LE(6 + 16 * i + 12)
        expect(ico.subarray(offset, offset + 8).equals(PNG)).toBe(true)
      }
      const icns = readFileSync(join(icons, `${name}.icns`))
      expect(icns.toString('ascii', 0, 4)).toBe('icns')
      expect(icns.readUInt32BE(4)).toBe(icns.length)
      const types: string[] = []
      for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4))
        types.push(icns.toString('ascii', at, at + 4))
      expect(types).toEqual(['icp4', 'icp5', 'icp6', 'ic07', 'ic08', 'ic09', 'ic10'])
    }
  })
})
