/**
 * Writes test/fixtures/store/v<SCHEMA_VERSION>.fuelbook and its expected load() as JSON.
 * Run once when a schema version ships (`npx tsx test/helpers/store-make-fixture.ts`), then never again for
 * that version: the file is the proof that later migrations still open what users saved with it.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { NotebookStore, SCHEMA_VERSION } from '../../src/main/store'
import { SETTINGS, base64Image, makeRun, makeSnapshot, sampleProfile } from './store-fixtures'
import { fixtureExpectation } from './store-fixture-expectation'

const dir = path.join(__dirname, '..', 'fixtures', 'store')
const file = path.join(dir, `v${SCHEMA_VERSION}.fuelbook`)
if (fs.existsSync(file)) {
  console.error(`${file} exists: fixtures of shipped versions are never regenerated.`)
  process.exit(1)
}
const created = NotebookStore.create(file, {
  title: `Fixture v${SCHEMA_VERSION}`,
  settings: { ...SETTINGS, deterministic: true }
})
if (!created.ok) throw new Error(created.error)
const s = created.value
s.insertCell(
  {
    id: 'intro',
    type: 'markdown',
    source: '# Fixture\nEvery kind of row.',
    metadata: { tags: ['doc'] },
    isolated: false
  },
  0
)
s.insertCell({ id: 'load', type: 'code', source: 'x = 41\nprint(x)', metadata: {}, isolated: false }, 1)
s.insertCell(
  { id: 'plot', type: 'code', source: 'show(img)', metadata: { collapsed: true }, isolated: false },
  2
)
s.insertCell({ id: 'iso', type: 'code', source: 'print(1)', metadata: {}, isolated: true }, 3)
s.insertCell({ id: 'raw', type: 'raw', source: 'raw text', metadata: {}, isolated: false }, 4)
for (let n = 1; n <= 22; n++) {
  s.commitRun(makeRun('load', n, [{ type: 'stream', name: 'stdout', text: `${40 + n}\n` }]))
}
s.commitRun({
  ...makeRun('plot', 23, [
    {
      type: 'display_data',
      data: { 'image/png': base64Image(5000, 7), 'text/plain': '<Figure>' },
      metadata: { width: 10 }
    },
    {
      type: 'error',
      ename: 'ValueError',
      evalue: 'bad',
      traceback: ['Traceback', 'ValueError: bad'],
      lineno: 1
    },
    { type: 'truncated', droppedBytes: 12 }
  ]),
  status: 'error'
})
s.commitRun({
  ...makeRun('iso', 0, []),
  executionCount: null,
  isolated: true,
  status: 'out_of_fuel',
  message: 'out of fuel'
})
s.commitRun(
  makeRun('load', 24, [
    { type: 'execute_result', data: { 'text/plain': '41' }, metadata: {}, executionCount: 24 }
  ]),
  {
    snapshot: makeSnapshot(6, (i) => i % 4, 1024),
    cellId: 'load',
    executionCount: 24
  }
)
if (SCHEMA_VERSION >= 4) {
  // Every kind of row: a stored wheel (its bytes need not be a real wheel for the store).
  const wheel = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)])
  s.changePackages({
    put: [
      {
        name: 'tiny-pkg',
        displayName: 'tiny_pkg',
        version: '1.0',
        filename: 'tiny_pkg-1.0-py3-none-any.whl',
        sha256: createHash('sha256').update(wheel).digest('hex'),
        bytes: wheel.byteLength,
        requestedBy: 'tiny-pkg==1.0',
        wheel
      }
    ],
    remove: []
  })
}
if (SCHEMA_VERSION >= 5) {
  // A profiled run (m005): the isolated cell's newest run carries where its fuel went.
  s.commitRun({
    ...makeRun('iso', 0, [{ type: 'stream', name: 'stdout', text: '1\n' }]),
    executionCount: null,
    isolated: true,
    source: 'print(1)',
    profile: sampleProfile()
  })
}
if (SCHEMA_VERSION >= 6) {
  // The wheel's bytecode cache (m006), for a made-up runtime (its bytes need not be real bytecode).
  const cache = new TextEncoder().encode('fuelbook-bytecode 1 0\n')
  s.putPackageBytecode({
    wheelSha256: s.listPackages()[0]!.sha256,
    runtime: 'f'.repeat(64),
    sha256: createHash('sha256').update(cache).digest('hex'),
    modules: 0,
    skipped: 0,
    cache
  })
}
s.close()
const reopened = NotebookStore.open(file)
if (!reopened.ok) throw new Error(reopened.error)
fs.writeFileSync(
  path.join(dir, `v${SCHEMA_VERSION}.expected.json`),
  JSON.stringify(fixtureExpectation(reopened.value), null, 1) + '\n'
)
reopened.value.close()
console.log(`wrote ${file}`)
