/**
 * End-to-end tests: WebdriverIO drives Debian's Chromium (no downloads) against Fuelbook's browser
 * mode, started here on a random port with a throw-away data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromiumCapabilities } from './test/chromium'

const root = import.meta.dirname
let server: ChildProcess | null = null

export const config: WebdriverIO.Config = {
  runner: 'local',
  specs: ['./test/e2e/**/*.spec.ts'],
  maxInstances: 1,
  autoXvfb: false,
  // FUELBOOK_E2E_WINDOW=1024,700 runs the specs at another window size (the default is 1280×900).
  capabilities: [
    chromiumCapabilities(
      process.env.FUELBOOK_E2E_WINDOW ? [`--window-size=${process.env.FUELBOOK_E2E_WINDOW}`] : []
    )
  ],
  logLevel: 'warn',
  framework: 'mocha',
  reporters: ['spec'],
  mochaOpts: { ui: 'bdd', timeout: 120_000 },
  waitforTimeout: 15_000,

  async onPrepare() {
    const dataDir = mkdtempSync(join(tmpdir(), 'fuelbook-e2e-'))
    mkdirSync(join(root, 'artifacts', 'screenshots'), { recursive: true })
    process.env.FUELBOOK_E2E_DATA = dataDir
    process.env.FUELBOOK_E2E_ARTIFACTS = join(root, 'artifacts')
    server = spawn(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', '--port', '0'], {
      cwd: root,
      env: { ...process.env, FUELBOOK_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    process.env.FUELBOOK_E2E_URL = await new Promise<string>((resolve, reject) => {
      let text = ''
      const timer = setTimeout(() => reject(new Error(`browser mode did not start: ${text}`)), 60_000)
      server!.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString()
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(text)
        if (match) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      })
      server!.once('exit', (code) => reject(new Error(`browser mode exited with ${code}: ${text}`)))
    })
  },

  beforeSession(_config, capabilities) {
    // A fresh browser profile per session: no state leaks between spec files.
    const caps = capabilities as WebdriverIO.Capabilities
    caps['goog:chromeOptions']?.args?.push(`--user-data-dir=${mkdtempSync(join(tmpdir(), 'wdio-chromium-'))}`)
  },

  async onComplete() {
    server?.kill('SIGTERM')
  }
}
