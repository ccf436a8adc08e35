/**
 * Fuel is deterministic across runs and machines: the pinned cells (test/helpers/fuel-golden.ts)
 * cost on this machine exactly what they cost where test/fixtures/fuel-golden.json was written.
 */
import { expect, it } from 'vitest'
import { METER_VERSION } from '../../src/main/sandbox/meter'
import { measureGolden, readGolden } from '../helpers/fuel-golden'
import { useTestHost } from '../helpers/kernel-host'

const host = useTestHost(1)

it('each pinned cell costs the fuel pinned for this runtime and meter, on every run', async () => {
  const golden = readGolden()
  expect(
    { runtimeHash: host().runtimeHash, meterVersion: METER_VERSION },
    'the runtime or the meter changed since test/fixtures/fuel-golden.json was written: if the change is meant, run `npx tsx scripts/fuel-golden.ts` and commit the file'
  ).toEqual({ runtimeHash: golden.runtimeHash, meterVersion: golden.meterVersion })
  expect(await measureGolden(host())).toEqual(golden.cells)
  expect(await measureGolden(host())).toEqual(golden.cells)
}, 120_000)
