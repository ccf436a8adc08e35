/** Public types of the meter (re-exported from index.ts). */

export interface MeterOptions {
  /**
   * Turn the module's own memory into an import named `env.memory` (see `MEMORY_IMPORT`), with
   * the module's original limits, so the host creates it per run with its cap as maximum and can
   * fill it from a snapshot before instantiating.
   */
  importMemory?: boolean
  /** Replace active data segments by empty passive ones, for instances restored from a snapshot. */
  dropActiveDataSegments?: boolean
  /** Export every mutable global (`fb_global_<index>` unless already exported) for snapshot/restore. */
  exportMutableGlobals?: boolean
  /**
   * Fuel charged on entering any wasm function. wasmtime charges 1 (`fuel_consumed: 1` at the
   * start of every function, "even empty functions should consume at least some fuel"); the
   * default follows it. 0 gives a pure count of cost-1 operators.
   */
  functionEntryCost?: 0 | 1
  /**
   * Fuel slices (wasmtime's `fuel_async_yield_interval` idea): the out-of-fuel path calls a host
   * hook, placed in the exported one-entry table `fb_fuel_slice`, which may grant the next slice
   * before the guest re-checks. Lets a host hand out its budget in slices and see progress of a
   * run that never calls it, at no cost on the hot path. See README.md, "Fuel slices".
   */
  fuelSlices?: boolean
  /**
   * Record what a failing `memory.grow` asked for: every `memory.grow` of memory 0 goes through a
   * small appended helper that, when the grow fails, keeps the largest request (in 64 KiB pages)
   * in the exported i32 global `fb_failed_grow`. Costs no fuel: the grow is charged as before and
   * the helper is not metered. See README.md, "Failed grows".
   */
  recordFailedGrow?: boolean
  /**
   * Skip the entry check of every function whose calls are bounded by at most this much fuel (no
   * loop, no `call_indirect`, no call cycle: bounded.ts); 0, the default, checks every entry as
   * wasmtime does. Charges are untouched, so a completed run consumes the same fuel; a run out of
   * fuel may stop at a later check. See README.md, "Bounded functions".
   */
  boundedEntryChecks?: number
  /**
   * Move each loop's check from its header to the branches back to it, and drop it on those that
   * a call to a checking function precedes on every path since the header (back-edges.ts). The
   * checks left are wasmtime's, at the same points with the same balances, a subset; charges are
   * untouched. See README.md, "Checks at back edges".
   */
  backEdgeChecks?: boolean
}

export interface MeteredModule {
  bytes: Uint8Array<ArrayBuffer>
  /** Exported mutable i64 global holding the REMAINING fuel (wasmtime get_fuel/set_fuel). */
  fuelExport: string
  /**
   * Exported mutable i32 global, 0 at instantiation, set to 1 only by the out-of-fuel path just
   * before it traps. After a trap: flag 1 ⇒ out of fuel; flag 0 ⇒ any other trap.
   */
  outOfFuelExport: string
  /** Exported table whose entry 0 must hold the slice hook (`fuelSlices`), else null. */
  fuelSliceExport: string | null
  /**
   * Exported mutable i32 global (`recordFailedGrow`), else null: 0 at instantiation, then the
   * largest page count a failing `memory.grow` asked for (read it unsigned).
   */
  failedGrowExport: string | null
  /** The memory as an import the host must provide (when `importMemory`, or already imported). */
  memory: { module: string; name: string; initialPages: number; maximumPages: number | null } | null
  /** Every mutable global of the original module, in index order (the meter's own two excluded). */
  mutableGlobals: { exportName: string; type: 'i32' | 'i64' | 'f32' | 'f64' }[]
  stats: {
    functions: number
    chargePoints: number
    checks: number
    /** Functions without an entry check (`boundedEntryChecks`). */
    uncheckedEntries: number
    /** Loops whose check moved from the header to the back edges (`backEdgeChecks`). */
    movedLoopChecks: number
    ms?: number
  }
}
