import { browser, $, expect } from '@wdio/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cellAt, newNotebook, runCode, shot, url } from './notebook-page'

/**
 * Scripts in text/html outputs run (plotly, bokeh, altair carry their JavaScript inline), inside a
 * frame of its own opaque origin with no network: they can draw into their own DOM but not read the
 * app's token, cookie or DOM, and no request of theirs reaches the app or any other server.
 */

/** A server the output's script tries to reach: it must never see a request. */
let probe: Server
let probeRequests: string[] = []

function outputScript(app: string, probeOrigin: string): string {
  const ws = app.replace(/^http/, 'ws').replace(/\/\?token=.*/, '/ws')
  return `<p id="ran">waiting</p><pre id="report"></pre>
<script>
(async () => {
  const r = {}
  const probe = (name, read) => { try { r[name] = 'read: ' + String(read()).slice(0, 80) } catch (e) { r[name] = 'blocked' } }
  probe('parentDocument', () => parent.document.title)
  probe('topDocument', () => top.document.body.innerHTML)
  probe('parentLocation', () => parent.location.href)
  probe('cookie', () => document.cookie)
  probe('localStorage', () => localStorage.length)
  r.origin = String(self.origin)
  r.tokenInReach = (location.href + ' ' + document.referrer).includes('token')
  for (const [name, target] of [['fetchApp', ${JSON.stringify(app)}], ['fetchProbe', ${JSON.stringify(probeOrigin + '/fetch')}]]) {
    try { await fetch(target, { mode: 'no-cors' }); r[name] = 'reached' } catch (e) { r[name] = 'blocked' }
  }
  try {
    const ws = new WebSocket(${JSON.stringify(ws)})
    await new Promise((open, fail) => { ws.onopen = open; ws.onerror = fail })
    r.websocket = 'reached'
  } catch (e) { r.websocket = 'blocked' }
  await new Promise((done) => {
    const img = new Image()
    img.onload = () => { r.image = 'reached'; done() }
    img.onerror = () => { r.image = 'blocked'; done() }
    img.src = ${JSON.stringify(probeOrigin + '/image.png')}
  })
  try { top.location.href = ${JSON.stringify(probeOrigin + '/navigate')}; r.topNavigation = 'allowed' } catch (e) { r.topNavigation = 'blocked' }
  document.getElementById('ran').textContent = 'script ran: ' + 6 * 7
  document.getElementById('report').textContent = JSON.stringify(r)
})()
</script>`
}

describe('scripts in HTML outputs', () => {
  before(async () => {
    probe = createServer((req, res) => {
      probeRequests.push(`${req.method} ${req.url}`)
      res.end('seen')
    })
    await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', () => listening()))
  })

  after(async () => {
    await new Promise<void>((done) => probe.close(() => done()))
  })

  it('run in their own frame, but reach neither the app (token, cookie, DOM) nor the network', async () => {
    probeRequests = []
    const probeOrigin = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
    await newNotebook()
    const html = outputScript(url(), probeOrigin)
    await runCode(0, `display({"text/html": ${JSON.stringify(html)}}, raw=True)`)
    const frame = await (await cellAt(0)).$('[data-testid="html-output"]')
    await frame.waitForDisplayed()
    await browser.switchFrame(frame)
    await browser.waitUntil(async () => (await $('#report').getText()) !== '', {
      timeoutMsg: 'the output script did not run'
    })
    const ran = await $('#ran').getText()
    const report = JSON.parse(await $('#report').getText()) as Record<string, unknown>
    await browser.switchFrame(null)

    // It ran, and the user sees what it wrote: the frame grew to its content.
    expect(ran).toBe('script ran: 42')
    expect((await frame.getSize()).height).toBeGreaterThan(60)
    expect(report).toEqual({
      parentDocument: 'blocked',
      topDocument: 'blocked',
      parentLocation: 'blocked',
      cookie: 'blocked',
      localStorage: 'blocked',
      origin: 'null',
      tokenInReach: false,
      fetchApp: 'blocked',
      fetchProbe: 'blocked',
      websocket: 'blocked',
      image: 'blocked',
      topNavigation: 'blocked'
    })
    await browser.pause(500)
    expect(probeRequests).toEqual([])
    // The app is still here, untouched.
    expect(await browser.getUrl()).toContain('token=')
    expect(await (await cellAt(0)).getAttribute('data-phase')).toBe('idle')
    await browser.saveScreenshot(shot('ui-html-scripts.png'))
  })
})
