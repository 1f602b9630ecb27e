/**
 * LeakyReLU with an optional inverted-dropout mask multiplied in, forward and gradient, in one pass
 * each (the composite form takes LeakyRelu + Mul forward and Greater + Select + Mul + Mul backward).
 * Written without data-dependent branches: activations are positive about half the time at random,
 * and a mispredicted branch per element made the plain `v > 0 ? v : α·v` loop much slower.
 */

/** out = leaky(x)·mask, where leaky(v) = v for v > 0, else α·v; an empty mask means none. */
export function leakyMask(
  x: Float32Array,
  mask: Float32Array,
  alpha: number,
  out: Float32Array,
): void {
  // leaky(v) = ((1 + α)·v + (1 − α)·|v|) / 2
  const a = (1 + alpha) / 2
  const b = (1 - alpha) / 2
  const n = x.length
  if (mask.length === 0) {
    for (let i = 0; i < n; i++) {
      const v = x[i] as number
      out[i] = a * v + b * Math.abs(v)
    }
    return
  }
  for (let i = 0; i < n; i++) {
    const v = x[i] as number
    out[i] = (a * v + b * Math.abs(v)) * (mask[i] as number)
  }
}

/** dx = dy·mask·(1 if x > 0 else α), the gradient of leakyMask with respect to x. */
export function leakyMaskGrad(
  x: Float32Array,
  mask: Float32Array,
  dy: Float32Array,
  alpha: number,
  out: Float32Array,
): void {
  const rise = 1 - alpha
  const n = x.length
  if (mask.length === 0) {
    for (let i = 0; i < n; i++) {
      out[i] = (dy[i] as number) * (alpha + rise * +((x[i] as number) > 0))
    }
    return
  }
  for (let i = 0; i < n; i++) {
    out[i] = (dy[i] as number) * (mask[i] as number) * (alpha + rise * +((x[i] as number) > 0))
  }
}

/**
 * out = leaky_α(x·scale + shift) per channel, `coef` = [scale (C), shift (C)]: inference batch norm
 * and its activation in one pass (α = 1: the affine map alone, e.g. a bias).
 */
export function affineLeaky(
  x: Float32Array,
  coef: Float32Array,
  alpha: number,
  out: Float32Array,
): void {
  const channels = coef.length / 2
  const a = (1 + alpha) / 2
  const b = (1 - alpha) / 2
  const n = x.length
  for (let base = 0; base < n; base += channels) {
    for (let c = 0; c < channels; c++) {
      const i = base + c
      const y = (x[i] as number) * (coef[c] as number) + (coef[channels + c] as number)
      out[i] = a * y + b * Math.abs(y)
    }
  }
}
