import { describe, expect, it } from 'vitest'
import { PageCache, type Page } from '../../src/renderer/src/lib/pageCache'

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** A dataset of `total` numbers whose pages answer when the test says so. */
function fakeSource(total: number) {
  const calls: { offset: number; limit: number; answer: () => void }[] = []
  const fetcher = (offset: number, limit: number): Promise<Page<number>> => {
    const d = deferred<Page<number>>()
    const items = Array.from(
      { length: Math.max(0, Math.min(limit, total - offset)) },
      (_, i) => offset + i,
    )
    calls.push({ offset, limit, answer: () => d.resolve({ total, offset, items }) })
    return d.promise
  }
  return { calls, fetcher }
}

describe('PageCache', () => {
  it('fetches each missing page once and serves items by index', async () => {
    let changes = 0
    const cache = new PageCache<number>({ pageSize: 10 }, () => changes++)
    const src = fakeSource(35)
    cache.reset(src.fetcher)
    const first = cache.ensure([0, 10])
    const second = cache.ensure([10, 20])
    expect(src.calls.map((c) => c.offset)).toEqual([0, 10, 20])
    src.calls.forEach((c) => c.answer())
    await Promise.all([first, second])
    expect(cache.item(0)).toBe(0)
    expect(cache.item(27)).toBe(27)
    expect(cache.item(31)).toBeUndefined()
    expect(cache.total).toBe(35)
    expect(changes).toBeGreaterThanOrEqual(3)
    void cache.ensure([0, 10])
    expect(src.calls).toHaveLength(3)
  })

  it('drops answers that belong to a query the user has already replaced', async () => {
    const cache = new PageCache<number>({ pageSize: 10 })
    const old = fakeSource(1000)
    cache.reset(old.fetcher)
    const stale = cache.ensure([0])
    const fresh = fakeSource(7)
    cache.reset(fresh.fetcher)
    const current = cache.ensure([0])
    fresh.calls[0]?.answer()
    await current
    old.calls[0]?.answer()
    await stale
    expect(cache.total).toBe(7)
    expect(cache.item(3)).toBe(3)
    expect(cache.item(8)).toBeUndefined()
  })

  it('reports a failed page of the current query and lets it be asked again', async () => {
    const errors: unknown[] = []
    const cache = new PageCache<number>({ pageSize: 10 }, undefined, (e) => errors.push(e))
    let fail = true
    cache.reset(async (offset) => {
      if (fail) throw new Error('database is locked')
      return { total: 5, offset, items: [1, 2, 3, 4, 5] }
    })
    await cache.ensure([0])
    expect(errors).toHaveLength(1)
    fail = false
    await cache.ensure([0])
    expect(cache.item(4)).toBe(5)
  })

  it('keeps at most maxPages, evicting those farthest from the latest page', async () => {
    const cache = new PageCache<number>({ pageSize: 10, maxPages: 3 })
    cache.reset(async (offset) => ({ total: 1000, offset, items: [offset] }))
    for (const offset of [0, 10, 20, 30, 500]) await cache.ensure([offset])
    expect(cache.size).toBe(3)
    expect(cache.has(500)).toBe(true)
    expect(cache.has(0)).toBe(false)
    expect(cache.has(30)).toBe(true)
  })
})
