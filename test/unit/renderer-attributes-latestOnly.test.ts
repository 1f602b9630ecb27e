import { describe, expect, it } from 'vitest'
import { LatestOnly } from '../../src/renderer/src/lib/latestOnly'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

/** A server that answers each request when the test says so. */
function fakeServer() {
  const sent: { state: number; answer: (r: string) => void; fail: (e: unknown) => void }[] = []
  const send = (state: number): Promise<string> => {
    const d = deferred<string>()
    sent.push({ state, answer: d.resolve, fail: d.reject })
    return d.promise
  }
  return { sent, send }
}

describe('latest-only requests', () => {
  it('sends at once when idle and keeps only the newest state while busy', async () => {
    const server = fakeServer()
    const delivered: [string, number][] = []
    const coalescer = new LatestOnly(server.send, (r: string, s: number) => delivered.push([r, s]))
    coalescer.push(1)
    coalescer.push(2)
    coalescer.push(3)
    coalescer.push(4)
    expect(server.sent.map((s) => s.state)).toEqual([1])
    expect(coalescer.busy).toBe(true)

    server.sent[0]?.answer('one')
    await flush()
    expect(delivered).toEqual([['one', 1]])
    // States 2 and 3 were superseded before they could be sent.
    expect(server.sent.map((s) => s.state)).toEqual([1, 4])

    server.sent[1]?.answer('four')
    await flush()
    expect(delivered).toEqual([
      ['one', 1],
      ['four', 4],
    ])
    expect(coalescer.busy).toBe(false)
    coalescer.push(5)
    expect(server.sent.map((s) => s.state)).toEqual([1, 4, 5])
  })

  it('reports a failure and still sends the state that waited', async () => {
    const server = fakeServer()
    const errors: unknown[] = []
    const coalescer = new LatestOnly(
      server.send,
      () => undefined,
      (e) => errors.push(e),
    )
    coalescer.push(1)
    coalescer.push(2)
    server.sent[0]?.fail(new Error('decoder busy'))
    await flush()
    expect(errors.map((e) => (e as Error).message)).toEqual(['decoder busy'])
    expect(server.sent.map((s) => s.state)).toEqual([1, 2])
  })

  it('delivers nothing and sends nothing after dispose', async () => {
    const server = fakeServer()
    const delivered: string[] = []
    const coalescer = new LatestOnly(server.send, (r: string) => delivered.push(r))
    coalescer.push(1)
    coalescer.push(2)
    coalescer.dispose()
    server.sent[0]?.answer('late')
    await flush()
    coalescer.push(3)
    expect(delivered).toEqual([])
    expect(server.sent.map((s) => s.state)).toEqual([1])
  })
})
