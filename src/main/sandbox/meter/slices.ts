/**
 * The host side of fuel slices (README.md, "Fuel slices"): the budget is handed to the guest one
 * slice at a time; when a slice runs out, the out-of-fuel path calls `refill` through the module's
 * `fb_fuel_slice` table. Exactness: the guest traps at a check iff guest balance + reserve ≤ 0,
 * which is the unsliced rule with remaining = guest balance + reserve, so a sliced run consumes the
 * same fuel and traps at the same point as an unsliced one, whatever the slice sizes.
 */

/** `(module (type (func)) (import "h" "f" (func)) (export "f" (func 0)))`: makes a JS function a funcref. */
const HOOK_MODULE = Uint8Array.of(
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
  ...[0x02, 0x07, 0x01, 0x01, 0x68, 0x01, 0x66, 0x00, 0x00],
  ...[0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00]
)
let hookModule: WebAssembly.Module | null = null

/**
 * Fuel per slice for hosts that want progress: about 7–40 ms of Python on the Fuelbook runtime
 * (3–20 G fuel/s measured). The slice size cannot change any fuel figure, only how often the host
 * is asked.
 */
export const DEFAULT_SLICE_FUEL = 1n << 27n

export class FuelSlices {
  /** Fuel of the budget not yet handed to the guest. */
  private reserve = 0n
  private readonly fuel: WebAssembly.Global

  /**
   * @param exports the metered instance's exports (`fb_fuel` and the `fb_fuel_slice` table)
   * @param nextSlice fuel to grant for the next slice, asked at the start and at every refill;
   *   called with the fuel consumed so far, so the host can report progress from here.
   */
  constructor(
    exports: WebAssembly.Exports,
    names: { fuelExport: string; fuelSliceExport: string },
    private readonly nextSlice: (consumedSoFar: bigint) => bigint,
    private budget = 0n
  ) {
    this.fuel = exports[names.fuelExport] as WebAssembly.Global
    hookModule ??= new WebAssembly.Module(HOOK_MODULE)
    const hook = new WebAssembly.Instance(hookModule, { h: { f: () => this.refill() } }).exports.f
    ;(exports[names.fuelSliceExport] as WebAssembly.Table).set(0, hook)
  }

  /** Sets a new budget: the first slice goes to the guest, the rest stays in reserve. */
  start(budget: bigint): void {
    this.budget = budget
    this.reserve = 0n
    this.grant(budget)
  }

  /** Fuel left of the budget: the guest's balance plus the reserve (what `fb_fuel` is unsliced). */
  remaining(): bigint {
    return (this.fuel.value as bigint) + this.reserve
  }

  /** Called by the guest when its balance reached ≤ 0 at a check (with the balance published). */
  private refill(): void {
    const total = this.remaining()
    if (total <= 0n) {
      // The budget is spent: the guest traps at this check, as it would unsliced.
      this.fuel.value = total
      this.reserve = 0n
      return
    }
    this.grant(total)
  }

  private grant(total: bigint): void {
    const wanted = this.nextSlice(this.budget - total)
    const slice = wanted > 0n && wanted < total ? wanted : total
    this.fuel.value = slice
    this.reserve = total - slice
  }
}
