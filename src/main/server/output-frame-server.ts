/**
 * Browser mode's second origin: a server on another 127.0.0.1 port that serves only the output frame
 * document (src/shared/output-frame.ts). Being another origin than the app means an output's scripts
 * share nothing with it, even if a browser ignored the frame's sandbox. No token: the document is
 * the same static bootstrap for everyone and holds no output and no secret.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { outputFrameDocument, outputFrameHeaders } from '../../shared/output-frame'
import { hostAllowed } from './security'

export interface OutputFrameServer {
  /** The frame document's URL, e.g. http://127.0.0.1:41235/ */
  url: string
  origin: string
  close(): Promise<void>
}

/** Loopback pages only may embed the frame (frame-ancestors); the app's port is not known yet. */
const LOOPBACK_ANCESTORS = ['http://127.0.0.1:*', 'http://localhost:*']

export async function startOutputFrameServer(): Promise<OutputFrameServer> {
  const document = outputFrameDocument()
  const headers = outputFrameHeaders(LOOPBACK_ANCESTORS)
  let port = 0
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const allowed = hostAllowed(req.headers.host, port) && (req.method === 'GET' || req.method === 'HEAD')
    if (!allowed || path !== '/') {
      res.writeHead(allowed ? 404 : 403, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end()
      return
    }
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : document)
  })
  await new Promise<void>((listening, reject) => {
    http.once('error', reject)
    http.listen(0, '127.0.0.1', () => listening())
  })
  port = (http.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/`,
    origin,
    close: () => new Promise<void>((done) => http.close(() => done()))
  }
}
