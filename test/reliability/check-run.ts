/** Compares a finished run (from the Kernel or a stored RunRecord) with what its corpus case expects. */
import type { Output, RunStatus } from '../../src/shared/notebook'
import { readableMessage, type CorpusCase } from './corpus'

function stdoutOf(outputs: Output[]): string {
  return outputs
    .filter((o) => o.type === 'stream' && o.name === 'stdout')
    .map((o) => (o as { text: string }).text)
    .join('')
}

/** The problems found; empty when the run is as expected. */
export function checkRun(
  c: CorpusCase,
  r: { status: RunStatus; exitCode: number | null; message: string | null; outputs: Output[] }
): string[] {
  const problems: string[] = []
  if (r.status !== c.expect.status) problems.push(`status ${r.status}, expected ${c.expect.status}`)
  if (c.expect.exitCode !== undefined && r.exitCode !== c.expect.exitCode)
    problems.push(`exit code ${r.exitCode}, expected ${c.expect.exitCode}`)
  const said = readableMessage(r)
  if (!c.expect.says.test(said))
    problems.push(`message ${JSON.stringify(said.slice(0, 200))} !~ ${c.expect.says}`)
  if (c.expect.status !== 'ok' && said.trim() === '') problems.push('no readable message')
  const stdout = stdoutOf(r.outputs)
  if (c.expect.stdout && !c.expect.stdout.test(stdout))
    problems.push(`stdout ${JSON.stringify(stdout.slice(0, 200))} !~ ${c.expect.stdout}`)
  const truncated = r.outputs.some((o) => o.type === 'truncated')
  if (c.expect.truncated !== undefined && truncated !== c.expect.truncated)
    problems.push(truncated ? 'output unexpectedly truncated' : 'output not truncated')
  return problems
}
