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
