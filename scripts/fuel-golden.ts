/**
 * Measures the pinned cells of test/helpers/fuel-golden.ts and writes test/fixtures/fuel-golden.json:
 * run it after a deliberate change to the runtime or the meter, and commit the file with the change
 * (its diff shows what each cell's fuel became).
 *
 *   npx tsx scripts/fuel-golden.ts
 */
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKernelHost } from '../src/main/kernel'
import { METER_VERSION } from '../src/main/sandbox/meter'
import { GOLDEN_FILE, measureGolden, type FuelGolden } from '../test/helpers/fuel-golden'
import { RUNTIME_DIR } from '../test/helpers/runtime-dir'

async function main(): Promise<void> {
  const host = await createKernelHost({
    resourcesDir: RUNTIME_DIR,
    cacheDir: join(tmpdir(), 'fuelbook-test-cache'),
    poolSize: 1
  })
  try {
    const golden: FuelGolden = {
      runtimeHash: host.runtimeHash,
      meterVersion: METER_VERSION,
      cells: await measureGolden(host)
    }
    writeFileSync(GOLDEN_FILE, JSON.stringify(golden, null, 2) + '\n')
    for (const [name, run] of Object.entries(golden.cells))
      console.log(`${name.padEnd(24)} ${run.status.padEnd(6)} ${run.fuel.toLocaleString('en-US')}`)
  } finally {
    await host.close()
  }
}

void main()
