import { resolve } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The lint rule is the only thing keeping the design's dependency arrows true, so it is tested too.
const eslint = new ESLint({ cwd: resolve(__dirname, '../..') })

async function layeringMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(__dirname, '../..', file) })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'fuelbook/layering').map((m) => m.message)
}

describe('fuelbook/layering lint rule', () => {
  it("lets only the shell and the preload import 'electron'", async () => {
    expect(
      await layeringMessages('src/main/electron/x.ts', "import { app } from 'electron'\nexport { app }\n")
    ).toEqual([])
    expect(
      await layeringMessages(
        'src/preload/x.ts',
        "import { ipcRenderer } from 'electron'\nexport { ipcRenderer }\n"
      )
    ).toEqual([])
    for (const file of [
      'src/main/service/x.ts',
      'src/main/server/x.ts',
      'src/renderer/src/x.ts',
      'src/main/cli.ts'
    ]) {
      const messages = await layeringMessages(file, "import { app } from 'electron'\nexport { app }\n")
      expect(messages, file).toHaveLength(1)
      expect(messages[0]).toContain("may import 'electron'")
    }
  })

  it('refuses arrows that point up the layer list', async () => {
    const cases: [string, string][] = [
      ['src/main/store/x.ts', '../kernel/kernel'],
      ['src/main/kernel/x.ts', '../store/store'],
      ['src/main/sandbox/x.ts', '../kernel/kernel'],
      ['src/shared/x.ts', '../main/service/service'],
      ['src/renderer/src/x.ts', '../../main/service/service'],
      ['src/main/library.ts', './service/compose']
    ]
    for (const [file, source] of cases) {
      const messages = await layeringMessages(file, `import { a } from '${source}'\nexport { a }\n`)
      expect(messages, `${file} -> ${source}`).toHaveLength(1)
    }
  })

  it('keeps the front doors (CLI, shell, browser server) on the service, the library and shared', async () => {
    for (const door of ['cli', 'electron', 'server']) {
      for (const below of [
        'store/index',
        'kernel/kernel',
        'sandbox/runtime',
        'export/index',
        'packages/index'
      ]) {
        const messages = await layeringMessages(
          `src/main/${door}/x.ts`,
          `import { a } from '../${below}'\nexport { a }\n`
        )
        expect(messages, `${door} -> ${below}`).toHaveLength(1)
        expect(messages[0]).toContain(`may use shared, service, library, ${door}`)
      }
      for (const allowed of ['../service/compose', '../library', '../../shared/api']) {
        expect(
          await layeringMessages(`src/main/${door}/x.ts`, `import { a } from '${allowed}'\nexport { a }\n`),
          `${door} -> ${allowed}`
        ).toEqual([])
      }
    }
    expect(
      await layeringMessages('src/main/cli/x.ts', "import { a } from '../server/browser-server'\n")
    ).toHaveLength(1)
  })

  it('allows the arrows of docs/architecture.md', async () => {
    const cases: [string, string][] = [
      ['src/main/kernel/x.ts', '../sandbox/pool'],
      ['src/main/service/x.ts', '../store/store'],
      ['src/main/service/x.ts', '../kernel/kernel'],
      ['src/main/server/x.ts', '../service/service'],
      ['src/renderer/src/x.ts', '../../shared/api'],
      ['src/main/cli.ts', './server/server']
    ]
    for (const [file, source] of cases) {
      expect(
        await layeringMessages(file, `import { a } from '${source}'\nexport { a }\n`),
        `${file} -> ${source}`
      ).toEqual([])
    }
  })
})
