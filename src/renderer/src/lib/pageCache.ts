/**
 * Pages of a scrolling query, cached by offset. Each new query (filters, split, fresh data) starts a
 * new generation; a response that comes back for an older generation is dropped, so a slow answer to
 * a filter the user has already changed never paints the grid.
 */

export interface Page<T> {
  total: number
  offset: number
  items: T[]
}

export type PageFetcher<T> = (offset: number, limit: number) => Promise<Page<T>>

export interface PageCacheOptions {
  pageSize: number
  /** Pages kept at most; the ones farthest from the last request are dropped first. */
  maxPages?: number
}

export class PageCache<T> {
  readonly pageSize: number
  private readonly maxPages: number
  private pages = new Map<number, T[]>()
  private inFlight = new Set<number>()
  private generation = 0
  private fetcher: PageFetcher<T> | null = null
  /** Matching items in the current query; null until its first page answers. */
  total: number | null = null

  constructor(
    options: PageCacheOptions,
    /** Called whenever a page lands or the total changes, so the view can redraw. */
    private readonly onChange: () => void = () => undefined,
    /** Called with a fetch's error when it belongs to the current generation. */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.pageSize = options.pageSize
    this.maxPages = options.maxPages ?? 200
  }

  /** Starts a new query: forgets every page and ignores answers still on their way. */
  reset(fetcher: PageFetcher<T>): void {
    this.generation++
    this.fetcher = fetcher
    this.pages.clear()
    this.inFlight.clear()
    this.total = null
    this.onChange()
  }

  get currentGeneration(): number {
    return this.generation
  }

  /** The item at `index`, or undefined while its page has not arrived. */
  item(index: number): T | undefined {
    const offset = Math.floor(index / this.pageSize) * this.pageSize
    return this.pages.get(offset)?.[index - offset]
  }

  has(offset: number): boolean {
    return this.pages.has(offset)
  }

  get size(): number {
    return this.pages.size
  }

  /** Fetches every page among `offsets` that is neither cached nor already requested. */
  ensure(offsets: readonly number[]): Promise<void> {
    const fetcher = this.fetcher
    if (!fetcher) return Promise.resolve()
    const generation = this.generation
    const waits: Promise<void>[] = []
    for (const offset of offsets) {
      if (this.pages.has(offset) || this.inFlight.has(offset)) continue
      this.inFlight.add(offset)
      waits.push(
        fetcher(offset, this.pageSize).then(
          (page) => {
            if (generation !== this.generation) return
            this.inFlight.delete(offset)
            this.pages.set(offset, page.items)
            this.total = page.total
            this.evict(offset)
            this.onChange()
          },
          (error: unknown) => {
            if (generation !== this.generation) return
            this.inFlight.delete(offset)
            this.onError(error)
          },
        ),
      )
    }
    return Promise.all(waits).then(() => undefined)
  }

  private evict(near: number): void {
    if (this.pages.size <= this.maxPages) return
    const byDistance = [...this.pages.keys()].sort(
      (a, b) => Math.abs(b - near) - Math.abs(a - near),
    )
    for (const offset of byDistance.slice(0, this.pages.size - this.maxPages)) {
      this.pages.delete(offset)
    }
  }
}
