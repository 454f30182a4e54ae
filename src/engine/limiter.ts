/**
 * Bounds how many node operations run at once (`--concurrency`). When more
 * are ready than may run, the one with the highest priority goes first (the
 * engine passes the length of the longest chain of work behind a node, so a
 * NAT gateway that everything waits for is not queued behind a batch of
 * security groups); equal priorities keep arrival order.
 */
export class Limiter {
  private active = 0
  private arrivals = 0
  private readonly queue: {priority: number; arrival: number; start: () => void}[] = []

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`)
  }

  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    await this.acquire(priority)
    try {
      return await task()
    } finally {
      this.release()
    }
  }

  private acquire(priority: number): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((start) => {
      this.queue.push({priority, arrival: this.arrivals++, start})
      this.queue.sort((a, b) => b.priority - a.priority || a.arrival - b.arrival)
    })
  }

  private release(): void {
    const next = this.queue.shift()
    if (next) next.start()
    else this.active--
  }
}
