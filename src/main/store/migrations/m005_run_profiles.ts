/**
 * m005_run_profiles: a run's fuel profile (src/shared/fuel-profile.ts), kept with its outputs so a
 * profiled cell shows where its fuel went again after a reopen. Runs stored before have none.
 * Shipped: never edit this file; add m006_… instead (see README.md).
 */
export const m005_run_profiles = `
ALTER TABLE runs ADD COLUMN profile TEXT;
`
