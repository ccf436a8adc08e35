/**
 * m003_session_fuel: the fuel of every run since the kernel was last restarted, kept with the kernel
 * state it belongs to, so "fuel this session" reads the same after Save As, a reload or a reopen.
 * Files from before start at 0 (when their kernel was last restarted is not recorded).
 * Shipped: never edit this file; add m004_… instead (see README.md).
 */
export const m003_session_fuel = `
ALTER TABLE notebook ADD COLUMN session_fuel INTEGER NOT NULL DEFAULT 0;
`
