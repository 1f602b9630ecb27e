/**
 * Training-mode batch norm over the N,H,W axes of a channels-last array, as a few streaming passes.
 * Pure loops over flat arrays: the same functions serve the wasm heap and the cpu backend's arrays.
 * Per-channel sums accumulate in float64, so the statistics do not depend on the batch size.
 */

/** Adds per-channel Σx and Σx² of `x` ([…, channels]) into `sum` and `sumSq`. */
export function accumulateMoments(
  x: Float32Array,
  channels: number,
  sum: Float64Array,
  sumSq: Float64Array,
): void {
  const n = x.length
  for (let base = 0; base < n; base += channels) {
    for (let c = 0; c < channels; c++) {
      const v = x[base + c] as number
      sum[c] = (sum[c] as number) + v
      sumSq[c] = (sumSq[c] as number) + v * v
    }
  }
}

/**
 * y = (x − mean)·scale + shift per channel, where scale = γ·σ⁻¹ and shift = β. `coef` holds the rows
 * [mean, scale, shift], each `channels` long.
 */
export function normalize(x: Float32Array, coef: Float32Array, out: Float32Array): void {
  const channels = coef.length / 3
  const n = x.length
  for (let base = 0; base < n; base += channels) {
    for (let c = 0; c < channels; c++) {
      const i = base + c
      out[i] =
        ((x[i] as number) - (coef[c] as number)) * (coef[channels + c] as number) +
        (coef[2 * channels + c] as number)
    }
  }
}

/**
 * Adds per-channel Σdy and Σdy·x̂ into `sumDy` and `sumDyXHat`, with x̂ = (x − mean)·σ⁻¹ recomputed
 * from `coef` = [mean, σ⁻¹] rather than stored by the forward pass.
 */
export function accumulateGradSums(
  x: Float32Array,
  dy: Float32Array,
  coef: Float32Array,
  sumDy: Float64Array,
  sumDyXHat: Float64Array,
): void {
  const channels = coef.length / 2
  const n = x.length
  for (let base = 0; base < n; base += channels) {
    for (let c = 0; c < channels; c++) {
      const i = base + c
      const d = dy[i] as number
      const xHat = ((x[i] as number) - (coef[c] as number)) * (coef[channels + c] as number)
      sumDy[c] = (sumDy[c] as number) + d
      sumDyXHat[c] = (sumDyXHat[c] as number) + d * xHat
    }
  }
}

/**
 * dx = γσ⁻¹/m · (m·dy − Σdy − x̂·Σdy·x̂), expanded per channel into dx = a·dy − b − (x − mean)·e with
 * `coef` rows [mean, a = γσ⁻¹, b = γσ⁻¹·Σdy/m, e = γσ⁻²·Σdy·x̂/m].
 */
export function gradInput(
  x: Float32Array,
  dy: Float32Array,
  coef: Float32Array,
  out: Float32Array,
): void {
  const channels = coef.length / 4
  const n = x.length
  for (let base = 0; base < n; base += channels) {
    for (let c = 0; c < channels; c++) {
      const i = base + c
      out[i] =
        (coef[channels + c] as number) * (dy[i] as number) -
        (coef[2 * channels + c] as number) -
        ((x[i] as number) - (coef[c] as number)) * (coef[3 * channels + c] as number)
    }
  }
}

/**
 * Float32 tensors cannot carry a float64 sum, so each is split into a float32 head and the float32
 * remainder: head + tail recovers it to about 48 bits.
 */
export function splitDoubles(values: Float64Array, out: Float32Array): void {
  const n = values.length
  for (let i = 0; i < n; i++) {
    const v = values[i] as number
    const head = Math.fround(v)
    out[i] = head
    out[n + i] = v - head
  }
}

/** The inverse of splitDoubles: `parts` = [heads (n), tails (n)]. */
export function joinDoubles(parts: ArrayLike<number>): Float64Array {
  const n = parts.length / 2
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = (parts[i] as number) + (parts[n + i] as number)
  return out
}
