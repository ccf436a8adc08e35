/**
 * Mounting a long list in steps: the first screen of items mounts at once and the rest in slices,
 * one per frame, so a 1,000-cell notebook shows its first cells and answers keys before every cell
 * is built (building all of them in one task took seconds, and no key could land meanwhile).
 * Each slice is sized from the measured cost per item of the previous one, to stay under a frame
 * budget; once every item is mounted the list follows its length directly.
 */
import { flushSync } from 'svelte'

/** Items mounted at once: more than fill the tallest screen with the smallest cells. */
const FIRST_ITEMS = 40
/** Script time one slice may take, leaving the rest of the frame for style, layout and input. */
const SLICE_BUDGET_MS = 16
const MIN_SLICE = 4

export class ProgressiveMount {
  /** Items mounted so far (while not `done`). */
  private mounted = $state(FIRST_ITEMS)
  /** Every item has been mounted once; from now on all are. */
  done = $state(false)
  private perItemMs = 1
  private frame = 0
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly length: () => number) {
    this.schedule()
  }

  /** How many items to render, the first `needed` always included (e.g. up to the cursor). */
  count(needed = 0): number {
    const length = this.length()
    return this.done ? length : Math.min(length, Math.max(this.mounted, needed))
  }

  dispose(): void {
    cancelAnimationFrame(this.frame)
    if (this.timer !== null) clearTimeout(this.timer)
  }

  private schedule(): void {
    if (this.mounted >= this.length()) {
      this.done = true
      return
    }
    // After the next frame is painted, so the slice never delays what is already on screen.
    this.frame = requestAnimationFrame(() => {
      this.timer = setTimeout(() => this.step(), 0)
    })
  }

  private step(): void {
    this.timer = null
    const before = this.mounted
    const slice = Math.max(MIN_SLICE, Math.floor(SLICE_BUDGET_MS / this.perItemMs))
    const started = performance.now()
    this.mounted = Math.min(this.length(), before + slice)
    flushSync()
    const added = this.mounted - before
    if (added > 0) this.perItemMs = Math.max(0.02, (performance.now() - started) / added)
    this.schedule()
  }
}
