/**
 * Output frames made one small batch at a time, in order, so an export never holds all of them: a
 * face repeated back to back (a hold) is made once; batches run on sharp's threads together.
 */
export async function* framesInOrder<T>(
  order: readonly number[],
  make: (index: number) => Promise<T>,
  batch = 8,
): AsyncGenerator<T> {
  let lastIndex = -1
  let last: T | undefined
  for (let start = 0; start < order.length; start += batch) {
    const part = order.slice(start, start + batch)
    const pending = new Map<number, Promise<T>>()
    let previous = last === undefined ? -1 : lastIndex
    for (const index of part) {
      const repeat = index === previous
      previous = index
      if (repeat || pending.has(index)) continue
      const made = make(index)
      // Awaited below, in order; a rejection before then must not count as unhandled.
      made.catch(() => undefined)
      pending.set(index, made)
    }
    for (const index of part) {
      if (index !== lastIndex || last === undefined) {
        last = await (pending.get(index) as Promise<T>)
        lastIndex = index
      }
      yield last
    }
  }
}
