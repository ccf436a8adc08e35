/**
 * The one description of how Fuelbook drives Chromium: Debian's browser and its chromedriver (no
 * downloads), headless, with the background networking that this machine's closed network refuses
 * turned off. Used by the e2e config (wdio.conf.mts) and the UI bench.
 */
export const CHROMIUM_BINARY = process.env.FUELBOOK_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMEDRIVER_BINARY = process.env.FUELBOOK_CHROMEDRIVER ?? '/usr/bin/chromedriver'

export function chromiumCapabilities(extraArgs: string[] = []): WebdriverIO.Capabilities {
  return {
    browserName: 'chrome',
    'goog:chromeOptions': {
      binary: CHROMIUM_BINARY,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--window-size=1280,900',
        ...extraArgs
      ]
    },
    'wdio:chromedriverOptions': { binary: CHROMEDRIVER_BINARY }
  }
}
