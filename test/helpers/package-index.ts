/**
 * A real package index on 127.0.0.1: the simple repository API in its JSON form (PEP 691), with
 * PEP 658 metadata files for the wheels that ask for them, over wheels built by wheels.ts. A wheel
 * can be listed with a wrong sha256 to test that nothing unverified is stored.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BuiltWheel } from './wheels'

export interface IndexEntry {
  wheel: BuiltWheel | { filename: string; bytes: Uint8Array; sha256: string; metadata: string }
  /** Serve `<file>.metadata` and announce it (PEP 658 / 714). */
  metadataFile?: boolean
  /** List this sha256 instead of the file's. */
  listedSha256?: string
  requiresPython?: string
  /** Hold the wheel's download this long (ms): lets a UI test see an install in progress. */
  delayMs?: number
}

export interface PackageIndex {
  url: string
  /** Requests served, e.g. `GET /simple/tiny/`: tests check what was (not) fetched. */
  requests: string[]
  close(): Promise<void>
}

export async function startPackageIndex(entries: IndexEntry[]): Promise<PackageIndex> {
  const byProject = new Map<string, IndexEntry[]>()
  const byFile = new Map<string, IndexEntry>()
  for (const entry of entries) {
    const project = entry.wheel.filename
      .split('-')[0]!
      .toLowerCase()
      .replace(/[-_.]+/g, '-')
    byProject.set(project, [...(byProject.get(project) ?? []), entry])
    byFile.set(entry.wheel.filename, entry)
  }
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/'
    requests.push(`${req.method} ${url}`)
    const project = /^\/simple\/([^/]+)\/$/.exec(url)
    if (project) {
      const files = byProject.get(project[1]!)
      if (!files) {
        res.writeHead(404).end('not found')
        return
      }
      const page = {
        meta: { 'api-version': '1.1' },
        name: project[1],
        files: files.map((e) => ({
          filename: e.wheel.filename,
          url: `../../files/${e.wheel.filename}`,
          hashes: { sha256: e.listedSha256 ?? e.wheel.sha256 },
          ...(e.requiresPython ? { 'requires-python': e.requiresPython } : {}),
          ...(e.metadataFile ? { 'core-metadata': true } : {})
        }))
      }
      res.writeHead(200, { 'Content-Type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify(page))
      return
    }
    const file = /^\/files\/([^/]+?)(\.metadata)?$/.exec(url)
    const entry = file ? byFile.get(file[1]!) : undefined
    if (file && entry) {
      if (file[2]) {
        if (!entry.metadataFile) res.writeHead(404).end()
        else res.writeHead(200, { 'Content-Type': 'text/plain' }).end(entry.wheel.metadata)
        return
      }
      const send = (): void => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(Buffer.from(entry.wheel.bytes))
      }
      if (entry.delayMs) setTimeout(send, entry.delayMs)
      else send()
      return
    }
    res.writeHead(404).end('not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
