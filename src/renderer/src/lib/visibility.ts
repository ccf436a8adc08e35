/**
 * Lazy mounting for long notebooks: a cell renders its full content (highlighted code, outputs,
 * stats) only once it comes near the viewport. One shared IntersectionObserver; each node is
 * reported once and then forgotten.
 */
const callbacks = new WeakMap<Element, () => void>()
let observer: IntersectionObserver | null = null

function shared(): IntersectionObserver {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue
        observer?.unobserve(e.target)
        callbacks.get(e.target)?.()
        callbacks.delete(e.target)
      }
    },
    { rootMargin: '1200px 0px' }
  )
  return observer
}

/** Calls `onVisible` once when `node` first comes within ~a screen of the viewport. */
export function whenNearViewport(node: Element, onVisible: () => void): () => void {
  if (typeof IntersectionObserver !== 'function') {
    onVisible()
    return () => {}
  }
  callbacks.set(node, onVisible)
  shared().observe(node)
  return () => {
    callbacks.delete(node)
    observer?.unobserve(node)
  }
}

/** Rough height of a cell not rendered yet, so the scrollbar is about right. */
export function estimatedCellHeight(source: string, outputChars: number): number {
  const lines = source.split('\n').length
  return 40 + lines * 20 + Math.min(400, Math.ceil(outputChars / 80) * 19) + 24
}
