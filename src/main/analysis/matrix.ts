/** Shape checks shared by the analysis functions: latents are N×D row-major Float32Array. */

export function checkMatrix(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  what: string,
): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 1) {
    throw new Error(`${what}: bad shape ${rows}×${cols}`)
  }
  if (data.length !== rows * cols) {
    throw new Error(`${what}: expected ${rows}×${cols} = ${rows * cols} values, got ${data.length}`)
  }
}

/** The given rows of an N×width row-major matrix, in that order, as a new matrix of the same type. */
export function takeRows<T extends Float32Array | Int8Array>(
  data: T,
  width: number,
  rows: ArrayLike<number>,
): T {
  const out = new (data.constructor as new (length: number) => T)(rows.length * width)
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number
    out.set(data.subarray(r * width, (r + 1) * width), k * width)
  }
  return out
}
