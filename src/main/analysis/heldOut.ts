/**
 * A seeded held-out share of a dataset's rows, for measuring on faces the fit did not see when the
 * dataset has no test split. Rows are ranked by a hash of their image id and the seed, so the choice
 * does not depend on row order and adding images moves only a few rows across.
 */

export interface HeldOutSplit {
  /** ascending row indices held out */
  heldOut: Uint32Array
  /** ascending row indices of everything else */
  rest: Uint32Array
}

/** round(share·n) rows (at least one when there are two or more), chosen by image id and seed. */
export function heldOutRows(
  imageIds: ArrayLike<number>,
  share: number,
  seed: number,
): HeldOutSplit {
  if (!(share > 0 && share < 1)) throw new Error(`held-out share must be in (0, 1), got ${share}`)
  const n = imageIds.length
  const count = n < 2 ? 0 : Math.max(1, Math.round(share * n))
  const keys = Uint32Array.from({ length: n }, (_, i) => mix(imageIds[i] as number, seed))
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (keys[a] as number) - (keys[b] as number) || a - b,
  )
  const held = new Uint8Array(n)
  for (let k = 0; k < count; k++) held[order[k] as number] = 1
  const heldOut = new Uint32Array(count)
  const rest = new Uint32Array(n - count)
  let h = 0
  let r = 0
  for (let i = 0; i < n; i++) {
    if (held[i]) heldOut[h++] = i
    else rest[r++] = i
  }
  return { heldOut, rest }
}

/** A 32-bit integer hash (murmur3's finaliser) of id and seed. */
function mix(id: number, seed: number): number {
  let h = (Math.imul(id, 0x9e3779b1) ^ seed) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}
