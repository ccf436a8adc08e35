import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { createExporter } from '../../src/main/export'
import { importIpynb, parseIpynb } from '../../src/main/export/ipynb-import'
import { notebookToIpynb, ipynbText, toLines } from '../../src/main/export/ipynb-export'
import type { Cell, NotebookDocument, Output } from '../../src/shared/notebook'
import { codeCell, documentOf, markdownCell, sampleDocument, samplePackages } from './export-helpers'

const FIXTURES = join(__dirname, '..', 'fixtures')
const fixture = (name: string): string => readFileSync(join(FIXTURES, 'ipynb', name), 'utf8')

/** The official schema of nbformat 4.<minor> (draft-04; ajv's default draft reads the keywords it uses). */
function schemaValidator(minor: number): ValidateFunction {
  const schema = JSON.parse(
    readFileSync(join(FIXTURES, 'nbformat', `nbformat.v4.${minor}.schema.json`), 'utf8')
  )
  delete schema.$schema
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false })
  addFormats(ajv)
  return ajv.compile(schema)
}
const validate45 = schemaValidator(5)

function expectValid(validate: ValidateFunction, nb: unknown): void {
  const ok = validate(nb)
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true)
}

/** A document as the service would build it from an import: cells + runs keyed by cell. */
function documentFromImport(content: string): NotebookDocument {
  const imported = importIpynb(content, { now: 1 })
  if (!imported.ok) throw new Error(imported.error)
  const runs = imported.value.runs.map((r, i) => ({ ...r, id: i + 1 }))
  return documentOf(imported.value.title || 'Imported', imported.value.cells, runs)
}

/** Sources and outputs of a notebook, normalised (multi-line strings joined, base64 unwrapped). */
function essence(notebook: object): unknown {
  const nb = notebook as { cells: Record<string, unknown>[] }
  const join = (v: unknown): unknown =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('') : v
  return nb.cells.map((c) => ({
    type: c['cell_type'],
    source: join(c['source']),
    execution_count: c['execution_count'],
    attachments: c['attachments']
      ? Object.fromEntries(
          Object.entries(c['attachments'] as Record<string, Record<string, unknown>>).map(([k, b]) => [
            k,
            Object.fromEntries(Object.entries(b).map(([m, v]) => [m, String(join(v)).replace(/\s+/g, '')]))
          ])
        )
      : undefined,
    outputs: ((c['outputs'] as Record<string, unknown>[] | undefined) ?? []).map((o) => ({
      ...o,
      text: o['text'] === undefined ? undefined : join(o['text']),
      metadata: undefined,
      data: o['data']
        ? Object.fromEntries(
            Object.entries(o['data'] as Record<string, unknown>).map(([m, v]) => [
              m,
              m.startsWith('image/png') ? String(join(v)).replace(/\s+/g, '') : join(v)
            ])
          )
        : undefined
    }))
  }))
}

describe('.ipynb export', () => {
  it('writes nbformat 4.5 that validates against the official schema', () => {
    const nb = notebookToIpynb(sampleDocument())
    expect(nb.nbformat).toBe(4)
    expect(nb.nbformat_minor).toBe(5)
    expectValid(validate45, nb)
    expectValid(validate45, JSON.parse(ipynbText(sampleDocument())))
  })

  it('the schema oracle rejects what nbformat 4.5 forbids (so a pass means something)', () => {
    const nb = notebookToIpynb(sampleDocument()) as unknown as { cells: Record<string, unknown>[] }
    delete nb.cells[1]!['id']
    expect(validate45(nb)).toBe(false)
    expect(validate45({ ...notebookToIpynb(sampleDocument()), nbformat_minor: 4 })).toBe(false)
  })

  it('keeps cell ids, MIME bundles, execution counts, and our stats under metadata.fuelbook', () => {
    const nb = notebookToIpynb(sampleDocument())
    const byId = Object.fromEntries(nb.cells.map((c) => [c.id, c]))
    const c1 = byId['c-1']!
    expect(c1.cell_type).toBe('code')
    if (c1.cell_type !== 'code') return
    expect(c1.execution_count).toBe(1)
    expect(c1.source).toEqual(['x = 21\n', 'print("hello world")\n', 'x * 2'])
    expect(c1.outputs[0]).toEqual({ output_type: 'stream', name: 'stdout', text: ['hello world\n'] })
    expect(c1.outputs[1]).toEqual({
      output_type: 'execute_result',
      data: { 'text/plain': ['42'] },
      metadata: {},
      execution_count: 1
    })
    const fb = c1.metadata['fuelbook'] as { run: Record<string, unknown> }
    expect(fb.run).toMatchObject({
      status: 'ok',
      fuelConsumed: 2_400_000,
      fuelBudget: 400_000_000,
      memoryPages: 160,
      memoryBytes: 10_485_760,
      wallMs: 31
    })
    const c3 = byId['c-3']!
    expect(c3.cell_type === 'code' && c3.metadata['fuelbook']).toMatchObject({
      run: { status: 'out_of_fuel', message: 'out of fuel after 400 M' }
    })
    expect(c3.cell_type === 'code' && c3.execution_count).toBe(null)
    const c4 = byId['c-4']!
    expect(c4.cell_type === 'code' && c4.outputs[0]).toMatchObject({
      output_type: 'display_data',
      data: { 'image/png': expect.stringMatching(/^iVBOR[^\n]*$/) }
    })
    expect(byId['c-6']!.metadata['fuelbook']).toMatchObject({ isolated: true })
    expect(nb.metadata['title']).toBe('Sample <notebook>')
    expect(nb.metadata['kernelspec']).toMatchObject({ name: 'python3' })
  })

  it('records the packages as pinned requirements in metadata; a %pip install cell stays a cell', () => {
    const pip = codeCell('c-pip', '%pip install app-kit\nimport app_kit')
    const doc = { ...documentOf('With packages', [pip]), packages: samplePackages() }
    const nb = notebookToIpynb(doc)
    expectValid(validate45, nb)
    const fuelbook = nb.metadata['fuelbook'] as { requirements: string[]; wheels: unknown[] }
    expect(fuelbook.requirements).toEqual(['App-Kit==1.0', 'base-lib==0.3'])
    expect(fuelbook.wheels).toEqual([
      { filename: 'App_Kit-1.0-py3-none-any.whl', sha256: 'a'.repeat(64) },
      { filename: 'base_lib-0.3-py3-none-any.whl', sha256: 'b'.repeat(64) }
    ])
    expect(nb.cells).toHaveLength(1)
    expect(nb.cells[0]!.cell_type).toBe('code')
    expect(nb.cells[0]!.source).toEqual(['%pip install app-kit\n', 'import app_kit'])
    const plain = notebookToIpynb(documentOf('No packages', [pip])).metadata['fuelbook'] as {
      requirements: string[]
    }
    expect(plain.requirements).toEqual([])
  })

  it('makes invalid or duplicate cell ids valid and unique', () => {
    const cells: Cell[] = [
      codeCell('has space!', '1'),
      codeCell('dup', '2'),
      codeCell('dup', '3'),
      codeCell('', '4')
    ]
    const nb = notebookToIpynb(documentOf('t', cells))
    const ids = nb.cells.map((c) => c.id)
    expect(new Set(ids).size).toBe(4)
    expect(ids[0]).toBe('hasspace')
    expectValid(validate45, nb)
  })

  it('drops user metadata the schema would reject instead of writing an invalid file', () => {
    const cell = codeCell('m', 'x', {
      metadata: { tags: ['a,b'], collapsed: 'yes', name: '', custom: { kept: true } }
    })
    const nb = notebookToIpynb(documentOf('t', [cell]))
    expect(nb.cells[0]!.metadata).toEqual({ custom: { kept: true } })
    expectValid(validate45, nb)
  })

  it('is reached through createExporter', async () => {
    const r = await createExporter().export(sampleDocument(), 'ipynb', {})
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.filename).toBe('Sample notebook.ipynb')
    expect(r.value.mimeType).toBe('application/x-ipynb+json')
    expectValid(validate45, JSON.parse(r.value.content))
  })
})

describe('.ipynb import', () => {
  it.each([
    ['weather-analysis.v4.5.ipynb', 5],
    ['rich-outputs.v4.4.ipynb', 4],
    ['legacy.v4.0.ipynb', 0]
  ])('fixture %s is valid nbformat 4.%i (sanity check of the fixtures)', (name, minor) => {
    expectValid(schemaValidator(minor), JSON.parse(fixture(name)))
  })

  it('reads a real-world 4.5 notebook: ids, sources, outputs, attachments, statuses', () => {
    const r = importIpynb(fixture('weather-analysis.v4.5.ipynb'), { now: 5 })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const { cells, runs } = r.value
    expect(cells.map((c) => c.id)).toEqual(['intro-md', 'imports', 'frame', 'plot', 'boom', 'not-run'])
    expect(cells.map((c) => c.type)).toEqual(['markdown', 'code', 'code', 'code', 'code', 'code'])
    expect(cells[0]!.source.startsWith('# Weather analysis\n\n')).toBe(true)
    expect(cells[0]!.metadata['attachments']).toMatchObject({
      'legend.png': { 'image/png': expect.stringMatching(/^iVBOR/) }
    })
    expect(cells[4]!.metadata['tags']).toEqual(['raises-exception'])
    expect(runs.map((x) => x.cellId)).toEqual(['imports', 'frame', 'plot', 'boom'])
    const [imports, frame, plot, boom] = runs
    expect(imports!.startedAt).toBe(Date.parse('2024-03-01T10:00:00.000Z'))
    expect(imports!.finishedAt).toBe(Date.parse('2024-03-01T10:00:01.250Z'))
    expect(frame!.outputs[0]).toMatchObject({
      type: 'execute_result',
      executionCount: 2,
      data: { 'text/html': expect.stringContaining('<table') }
    })
    expect(plot!.outputs.map((o) => o.type)).toEqual(['stream', 'stream', 'display_data'])
    const png = (plot!.outputs[2] as Extract<Output, { type: 'display_data' }>).data['image/png'] as string
    expect(png).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(boom!.status).toBe('error')
    expect(plot!.status).toBe('ok')
    expect(boom).toMatchObject({
      fuelConsumed: 0,
      fuelBudget: 0,
      memoryPages: 0,
      memoryBytes: 0,
      wallMs: 0,
      isolated: false,
      executionCount: 4
    })
    expect(frame!.startedAt).toBe(5)
  })

  it('reads older minors: generates ids, merges nothing, keeps raw cells', () => {
    let n = 0
    const r = importIpynb(fixture('legacy.v4.0.ipynb'), { newId: () => `gen-${++n}` })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.cells.map((c) => c.id)).toEqual(['gen-1', 'gen-2', 'gen-3', 'gen-4'])
    expect(r.value.cells[3]).toMatchObject({ type: 'raw', metadata: { format: 'text/restructuredtext' } })
    expect(r.value.cells[2]!.source).toBe('print("a\\nb")\nprint("c")')
    expect(r.value.runs[1]!.outputs).toEqual([
      { type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { type: 'stream', name: 'stdout', text: 'c\n' }
    ])
    for (const minor of [1, 2, 3, 4]) {
      const text = fixture('legacy.v4.0.ipynb').replace('"nbformat_minor": 0', `"nbformat_minor": ${minor}`)
      expectValid(schemaValidator(minor), JSON.parse(text))
      expect(importIpynb(text).ok).toBe(true)
    }
  })

  it('keeps duplicate or invalid ids out', () => {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { id: 'same', cell_type: 'code', metadata: {}, source: 'a', outputs: [], execution_count: null },
        { id: 'same', cell_type: 'code', metadata: {}, source: 'b', outputs: [], execution_count: null },
        { id: 'bad id!', cell_type: 'markdown', metadata: {}, source: 'c' }
      ]
    }
    const r = importIpynb(JSON.stringify(nb), {
      newId: (() => {
        let i = 0
        return () => `n${++i}`
      })()
    })
    expect(r.ok && r.value.cells.map((c) => c.id)).toEqual(['same', 'n1', 'n2'])
  })

  it.each([
    ['not JSON', '{"cells": [', /not valid JSON/],
    ['empty file', '', /not valid JSON/],
    ['a JSON array', '[]', /expected a JSON object/],
    ['no nbformat', '{"cells": []}', /"nbformat" field is missing/],
    [
      'nbformat 3',
      '{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}',
      /nbformat 3; Fuelbook imports nbformat 4/
    ],
    [
      'nbformat 5',
      '{"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}',
      /Unsupported nbformat 5/
    ],
    [
      'cells not a list',
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}',
      /cells: expected a list of cells/
    ],
    ['missing metadata', '{"nbformat": 4, "nbformat_minor": 5, "cells": []}', /metadata/],
    [
      'unknown cell type',
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "sql", "metadata": {}, "source": ""}]}',
      /cells\[0\]\.cell_type: cell_type must be/
    ],
    [
      'source a number',
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": 3}]}',
      /cells\[0\]\.source: expected a string or a list of strings/
    ],
    [
      'bad output',
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "source": "", "execution_count": null, "outputs": [{"output_type": "blob"}]}]}',
      /cells\[0\]\.outputs\[0\]\.output_type: output_type must be/
    ],
    [
      'negative count',
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "source": "", "execution_count": -1, "outputs": []}]}',
      /cells\[0\]\.execution_count/
    ]
  ])('rejects %s with a clear message', (_name, content, message) => {
    const r = createExporter().importIpynb(content)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(message)
  })

  it('parses a UTF-8 BOM', () => {
    expect(parseIpynb('\uFEFF' + fixture('legacy.v4.0.ipynb')).ok).toBe(true)
  })
})

describe('round trips', () => {
  it.each(['weather-analysis.v4.5.ipynb', 'rich-outputs.v4.4.ipynb', 'legacy.v4.0.ipynb'])(
    '%s → model → .ipynb keeps sources and outputs, and validates as 4.5',
    (name) => {
      const original = JSON.parse(fixture(name))
      const exported = notebookToIpynb(documentFromImport(fixture(name)))
      expectValid(validate45, exported)
      expect(essence(exported)).toEqual(essence(original))
    }
  )

  it('keeps attachments through import and export', () => {
    const exported = notebookToIpynb(documentFromImport(fixture('weather-analysis.v4.5.ipynb')))
    const md = exported.cells[0]!
    expect(md.cell_type === 'markdown' && md.attachments).toMatchObject({
      'legend.png': { 'image/png': expect.stringMatching(/^iVBOR/) }
    })
    expect(md.metadata).toEqual({})
  })

  it('model → .ipynb → model keeps cells, outputs and Fuelbook stats', () => {
    const doc = sampleDocument()
    const back = documentFromImport(ipynbText(doc))
    expect(back.title).toBe(doc.title)
    expect(back.cells).toEqual(doc.cells)
    for (const cell of doc.cells) {
      const before = doc.lastRuns[cell.id]
      const after = back.lastRuns[cell.id]
      if (!before) {
        expect(after).toBeUndefined()
        continue
      }
      const { id: _a, ...b } = before
      const { id: _b, ...a } = after!
      expect(a).toEqual(b)
    }
  })

  it('splits text into lines as Jupyter does', () => {
    expect(toLines('')).toEqual([])
    expect(toLines('a\nb')).toEqual(['a\n', 'b'])
    expect(toLines('a\n')).toEqual(['a\n'])
    expect(toLines('\n\n')).toEqual(['\n', '\n'])
  })

  it('a markdown-only notebook survives', () => {
    const doc = documentOf('md', [markdownCell('only', 'Hello')])
    expect(documentFromImport(ipynbText(doc)).cells).toEqual(doc.cells)
  })
})
