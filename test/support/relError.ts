import { expect } from 'vitest'

/** ‖actual − expected‖ / ‖expected‖: how the engine's kernels are compared with stock ops. */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length)
  let num = 0
  let den = 0
  for (let i = 0; i < expected.length; i++) {
    const d = (actual[i] as number) - (expected[i] as number)
    num += d * d
    den += (expected[i] as number) ** 2
  }
  return Math.sqrt(num / Math.max(den, 1e-30))
}
