/**
 * A cell that breaks its own kernel: later cells still get their stdio, and a cell that breaks the
 * interpreter's driver ends crashed with a plain message while the kernel keeps the state before
 * it, in the kernel and through the service as the UI shows it.
 */
import { describe, expect, it } from 'vitest'
import { killedLine } from '../../src/shared/format'
import { DEFAULT_SETTINGS } from '../../src/main/service/defaults'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'
import { useService } from '../helpers/service-harness'

const host = useTestHost(1)

describe('in the kernel', () => {
  it('a cell that closes stdout, stderr and stdin does not silence the cells after it', async () => {
    const kernel = host().createKernel()
    const closing = await kernel.run('import os\nos.close(0)\nos.close(1)\nos.close(2)', { limits: LIMITS })
    expect(closing.status).toBe('ok')
    const after = await kernel.run("import sys\nprint('hi')\nprint('oops', file=sys.stderr)", {
      limits: LIMITS
    })
    expect(after.status).toBe('ok')
    expect(textOf(after.outputs)).toBe('hi\n')
    expect(textOf(after.outputs, 'stderr')).toBe('oops\n')
    await kernel.dispose()
  }, 60_000)

  it('a cell that breaks the driver ends crashed, and the kernel keeps the state before it', async () => {
    const kernel = host().createKernel()
    expect((await kernel.run('x = 1', { limits: LIMITS })).status).toBe('ok')
    const breaking = await kernel.run('import sys\nx = 2\nsys.modules.clear()', { limits: LIMITS })
    expect(breaking).toMatchObject({ status: 'crashed', headAdvanced: false, brokeInterpreter: true })
    expect(breaking.message).toMatch(
      /^this cell broke the Python interpreter, so its effects were not kept \(.*__main__/
    )
    const after = await kernel.run('print(x)', { limits: LIMITS })
    expect(after.status).toBe('ok')
    expect(textOf(after.outputs)).toBe('1\n')
    await kernel.dispose()
  }, 60_000)

  it('removing only __main__ is caught the same way; a normal error is not', async () => {
    const kernel = host().createKernel()
    const broken = await kernel.run("import sys\ndel sys.modules['__main__']", { limits: LIMITS })
    expect(broken).toMatchObject({ status: 'crashed', brokeInterpreter: true })
    const error = await kernel.run("raise ValueError('plain')", { limits: LIMITS })
    expect(error).toMatchObject({
      status: 'error',
      brokeInterpreter: false,
      headAdvanced: true,
      message: null
    })
    expect((await kernel.run("print('still fine')", { limits: LIMITS })).outputs).toEqual([
      { type: 'stream', name: 'stdout', text: 'still fine\n' }
    ])
    await kernel.dispose()
  }, 60_000)
})

describe('through the service', () => {
  const service = useService()

  it('the notebook says the cell broke the interpreter, keeps [1], and later cells work', async () => {
    const h = service()
    const runIn = h.runSource
    const created = await h.service.createNotebook()
    if (!created.ok) throw new Error(created.error)
    const path = created.value.path
    const set = await h.service.setSettings(path, {
      ...DEFAULT_SETTINGS,
      limits: { ...DEFAULT_SETTINGS.limits, timeoutMs: 60_000 }
    })
    if (!set.ok) throw new Error(set.error)

    expect((await runIn(path, 'x = 1')).status).toBe('ok')
    const breaking = await runIn(path, 'import sys\nx = 2\nsys.modules.clear()')
    expect(breaking.status).toBe('crashed')
    // What the stats line shows for it.
    expect(killedLine(breaking.status, breaking.message, 1)).toMatch(
      /^this cell broke the Python interpreter, so its effects were not kept \(.*\) · kernel state kept from \[1\]$/
    )
    const doc = await h.service.openNotebook(path)
    if (!doc.ok) throw new Error(doc.error)
    expect(doc.value.kernel.notice).toBe(
      'Cell [2] broke the Python interpreter, so what it did was not kept: the kernel went back to the state after [1], and later cells run normally.'
    )
    expect(doc.value.kernel.headExecutionCount).toBe(1)
    const stored = await h.service.getRun(path, breaking.id)
    expect(stored.ok && stored.value.status).toBe('crashed')

    const after = await runIn(path, 'print(x)')
    expect(after.status).toBe('ok')
    expect(textOf(after.outputs)).toBe('1\n')
    // The notice goes once a later run moved the head on.
    const reopened = await h.service.openNotebook(path)
    expect(reopened.ok && reopened.value.kernel.notice).toBeNull()
  }, 120_000)
})
