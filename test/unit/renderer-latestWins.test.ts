import { describe, expect, it } from 'vitest'
import { LatestWins } from '../../src/renderer/src/lib/latestWins'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A host whose replies come back only when the test says so, counting what is in flight. */
function fakeHost() {
  const calls: { value: number; answer: (r?: string) => void; fail: (e: unknown) => void }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const shown: { value: number; result: string }[] = []
  const errors: number[] = []
  const scheduler = new LatestWins<number, string>({
    send: (value) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const d = deferred<string>()
      calls.push({
        value,
        answer: (r) => {
          inFlight--
          d.resolve(r ?? `frame ${value}`)
        },
        fail: (e) => {
          inFlight--
          d.reject(e)
        },
      })
      return d.promise
    },
    onResult: (value, result) => shown.push({ value, result }),
    onError: (value) => errors.push(value),
  })
  return { scheduler, calls, shown, errors, maxInFlight: () => maxInFlight }
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0))

describe('LatestWins', () => {
  it('keeps one request in flight and sends only the latest wish when it returns', async () => {
    const h = fakeHost()
    h.scheduler.request(0)
    for (let p = 1; p <= 50; p++) h.scheduler.request(p / 2)
    expect(h.calls.map((c) => c.value)).toEqual([0])
    expect(h.scheduler.busy).toBe(true)
    h.calls[0]?.answer()
    await flush()
    // Forty-nine positions the pointer passed were never asked for.
    expect(h.calls.map((c) => c.value)).toEqual([0, 25])
    h.calls[1]?.answer()
    await flush()
    expect(h.calls).toHaveLength(2)
    expect(h.scheduler.busy).toBe(false)
    expect(h.shown.map((s) => s.value)).toEqual([0, 25])
    expect(h.maxInFlight()).toBe(1)
    expect(h.scheduler.sent).toBe(2)
  })

  it('says whether a newer wish waits behind the request in flight', async () => {
    const h = fakeHost()
    h.scheduler.request(1)
    expect(h.scheduler.hasWaiting).toBe(false)
    h.scheduler.request(2)
    expect(h.scheduler.hasWaiting).toBe(true)
    h.calls[0]?.answer()
    await flush()
    // The waiting wish went out when the reply came.
    expect(h.scheduler.hasWaiting).toBe(false)
    expect(h.scheduler.busy).toBe(true)
    expect(h.calls.map((c) => c.value)).toEqual([1, 2])
  })

  it('does not resend when the latest wish is the one in flight or already shown', async () => {
    const h = fakeHost()
    h.scheduler.request(3)
    h.scheduler.request(4)
    h.scheduler.request(3)
    h.calls[0]?.answer()
    await flush()
    expect(h.calls.map((c) => c.value)).toEqual([3])
    h.scheduler.request(3)
    expect(h.calls).toHaveLength(1)
    h.scheduler.request(5)
    expect(h.calls.map((c) => c.value)).toEqual([3, 5])
  })

  it('drops a reply that answers an out-of-date question and asks again', async () => {
    const h = fakeHost()
    h.scheduler.request(7)
    h.scheduler.invalidate()
    // Same position, new timeline: the answer on its way is for the old one.
    h.scheduler.request(7)
    h.calls[0]?.answer('old timeline')
    await flush()
    expect(h.shown).toEqual([])
    expect(h.scheduler.dropped).toBe(1)
    expect(h.calls.map((c) => c.value)).toEqual([7, 7])
    h.calls[1]?.answer('new timeline')
    await flush()
    expect(h.shown).toEqual([{ value: 7, result: 'new timeline' }])
  })

  it('forgets a wish made before invalidate, so nothing is asked of a state that is gone', async () => {
    const h = fakeHost()
    h.scheduler.request(1)
    h.scheduler.request(2)
    h.scheduler.invalidate()
    h.calls[0]?.answer()
    await flush()
    expect(h.calls.map((c) => c.value)).toEqual([1])
    expect(h.shown).toEqual([])
    expect(h.scheduler.busy).toBe(false)
  })

  it('resends a shown value after invalidate, and nothing at all after dispose', async () => {
    const h = fakeHost()
    h.scheduler.request(1)
    h.calls[0]?.answer()
    await flush()
    h.scheduler.invalidate()
    h.scheduler.request(1)
    expect(h.calls).toHaveLength(2)
    h.scheduler.request(2)
    h.scheduler.dispose()
    h.calls[1]?.answer()
    await flush()
    expect(h.shown.map((s) => s.value)).toEqual([1])
    h.scheduler.request(9)
    expect(h.calls).toHaveLength(2)
  })

  it('reports a failure, goes on with the latest wish, and retries a failed value', async () => {
    const h = fakeHost()
    h.scheduler.request(1)
    h.scheduler.request(2)
    h.calls[0]?.fail(new Error('decoder busy'))
    await flush()
    expect(h.errors).toEqual([1])
    expect(h.calls.map((c) => c.value)).toEqual([1, 2])
    h.calls[1]?.fail(new Error('again'))
    await flush()
    h.scheduler.request(2)
    expect(h.calls.map((c) => c.value)).toEqual([1, 2, 2])
  })

  it('treats a send that throws like a failed request', async () => {
    const errors: unknown[] = []
    const scheduler = new LatestWins<number, string>({
      send: () => {
        throw new Error('no connection')
      },
      onResult: () => undefined,
      onError: (_v, e) => errors.push(e),
    })
    scheduler.request(1)
    await flush()
    expect(errors).toHaveLength(1)
    expect(scheduler.busy).toBe(false)
  })

  it('uses the given equality for structured wishes', async () => {
    const sent: { p: number }[] = []
    const scheduler = new LatestWins<{ p: number }, number>({
      send: (v) => {
        sent.push(v)
        return Promise.resolve(v.p)
      },
      onResult: () => undefined,
      equals: (a, b) => a.p === b.p,
    })
    scheduler.request({ p: 1 })
    await flush()
    scheduler.request({ p: 1 })
    scheduler.request({ p: 2 })
    await flush()
    expect(sent.map((v) => v.p)).toEqual([1, 2])
  })
})
