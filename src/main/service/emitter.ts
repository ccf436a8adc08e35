/** A minimal typed event emitter whose registrations return a disposer, as VS Code's events do. */
export class Emitter<T> {
  private readonly listeners = new Set<(event: T) => void>()

  on(listener: (event: T) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  fire(event: T): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A broken listener (e.g. a closed socket) must not stop the others or the run.
      }
    }
  }
}
