/**
 * The k best candidates of a nearest-neighbour search: a max-heap of (squared distance, id) kept in
 * two parallel typed arrays with the worst candidate on top, so a closer one replaces it in O(log k).
 * Ties on distance: the higher id counts as worse, which makes results independent of scan order.
 */

const worse = (keyA: number, idA: number, keyB: number, idB: number): boolean =>
  keyA > keyB || (keyA === keyB && idA > idB)

/** A heap of `size` entries in `keys` and `ids`, and the (key, id) an operation brings to it. */
type HeapWith = [keys: Float64Array, ids: Int32Array, size: number, key: number, id: number]

/** Adds (key, id) to a heap of `size` entries (the arrays must have room); the caller counts it. */
export function heapPush(...[keys, ids, size, key, id]: HeapWith): void {
  let c = size
  while (c > 0) {
    const p = (c - 1) >> 1
    if (!worse(key, id, keys[p] as number, ids[p] as number)) break
    keys[c] = keys[p] as number
    ids[c] = ids[p] as number
    c = p
  }
  keys[c] = key
  ids[c] = id
}

/** Puts (key, id) in place of the top of a heap of `size` entries and restores the heap order. */
export function heapReplaceTop(...[keys, ids, size, key, id]: HeapWith): void {
  let c = 0
  for (;;) {
    const l = 2 * c + 1
    if (l >= size) break
    const r = l + 1
    const m =
      r < size && worse(keys[r] as number, ids[r] as number, keys[l] as number, ids[l] as number)
        ? r
        : l
    if (!worse(keys[m] as number, ids[m] as number, key, id)) break
    keys[c] = keys[m] as number
    ids[c] = ids[m] as number
    c = m
  }
  keys[c] = key
  ids[c] = id
}
