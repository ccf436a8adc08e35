/**
 * The adversarial corpus through the Kernel: for every case the expected status, a readable
 * message, the head unchanged (a variable defined before is still readable with its value) and no
 * host file touched.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { KernelRunResult } from '../../src/main/kernel'
import { textOf, useTestHost } from '../helpers/kernel-host'
import { checkRun } from './check-run'
import { CORPUS, readableMessage, SUITE_LIMITS } from './corpus'
import { HostGuard } from './host-guard'
import { Recorder } from './record'

const host = useTestHost()
const guard = new HostGuard()
const recorder = new Recorder('kernel-corpus', 'Adversarial corpus through the Kernel')
afterAll(() => recorder.save())

function describeRun(r: KernelRunResult): string {
  return `${r.status}${r.exitCode !== null ? ` (code ${r.exitCode})` : ''}`
}

describe('adversarial corpus through the Kernel', () => {
  for (const c of CORPUS) {
    it(`${c.id}: ${c.title} → ${c.expect.status}`, async () => {
      const kernel = host().createKernel()
      try {
        expect((await kernel.run('x = 42', { limits: SUITE_LIMITS })).status).toBe('ok')
        const headBefore = kernel.headMemoryBytes
        const r = await kernel.run(c.code, { limits: { ...SUITE_LIMITS, ...c.limits } })
        const problems = checkRun(c, r)
        const killed = !['ok', 'error', 'exit'].includes(r.status) || r.message?.includes('os._exit')
        if (killed && r.headAdvanced) problems.push('a killed run moved the head')
        if (killed && kernel.headMemoryBytes !== headBefore) problems.push('head memory changed')
        const after = await kernel.run('print(x)', { limits: SUITE_LIMITS })
        if (after.status !== 'ok' || textOf(after.outputs) !== '42\n')
          problems.push(`x afterwards: ${after.status} ${JSON.stringify(textOf(after.outputs))}`)
        const hostChanges = guard.changes()
        problems.push(...hostChanges)
        recorder.add({
          case: c.title,
          expected: c.expect.status + (c.expect.exitCode !== undefined ? ` (code ${c.expect.exitCode})` : ''),
          observed: describeRun(r),
          pass: problems.length === 0,
          detail: [readableMessage(r).slice(0, 120) || '(no message: a normal run)', ...problems].join('; ')
        })
        expect(problems).toEqual([])
      } finally {
        await kernel.dispose()
      }
    })
  }
})
