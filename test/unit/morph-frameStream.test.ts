import { describe, expect, it } from 'vitest'
import { framesInOrder } from '../../src/main/studio/morph/frameStream'

async function collect(order: number[], batch: number): Promise<{ out: string[]; made: number[] }> {
  const made: number[] = []
  const out: string[] = []
  for await (const f of framesInOrder(
    order,
    (i) => {
      made.push(i)
      return Promise.resolve(`face${i}`)
    },
    batch,
  )) {
    out.push(f)
  }
  return { out, made }
}

describe('frames in order', () => {
  it('yields every frame in order, making a held face once', async () => {
    const order = [0, 1, 1, 1, 2, 3, 3, 2, 1, 0]
    for (const batch of [1, 2, 3, 8]) {
      const { out, made } = await collect(order, batch)
      expect(out).toEqual(order.map((i) => `face${i}`))
      // Holds (back-to-back repeats) are not made again.
      expect(made.length).toBeLessThanOrEqual(order.length - 3)
    }
  })

  it('a face shown again after others, across a batch boundary, is made again', async () => {
    const { out } = await collect([5, 6, 5, 5, 6], 2)
    expect(out).toEqual(['face5', 'face6', 'face5', 'face5', 'face6'])
  })
})
