/**
 * Adam's moments and the one-parameter update, below the optimiser so that the wasm SIMD store
 * (simd/adamKernel) and the JS store here implement the same interface without importing it.
 */

/** Hyperparameters of one update; lr already carries the bias correction. */
export interface AdamStep {
  lr: number
  beta1: number
  beta2: number
  epsilon: number
}

/** Where the moments live and how one parameter's update is computed. */
export interface AdamMoments {
  /** The first and second moment of a parameter: live views, written by update. */
  moments(name: string): { m: Float32Array; v: Float32Array } | undefined
  /** Updates w in place from g, and the parameter's moments. */
  update(name: string, w: Float32Array, g: Float32Array, step: AdamStep): void
}

/** The moments as JS arrays, updated by a loop in float64 arithmetic. */
export function jsAdamMoments(sizes: Map<string, number>): AdamMoments {
  const state = new Map(
    [...sizes].map(([name, n]) => [name, { m: new Float32Array(n), v: new Float32Array(n) }]),
  )
  return {
    moments: (name) => state.get(name),
    update(name, w, g, { lr, beta1: b1, beta2: b2, epsilon: eps }) {
      const { m, v } = state.get(name) as { m: Float32Array; v: Float32Array }
      for (let i = 0; i < w.length; i++) {
        const gi = g[i] as number
        const mi = b1 * (m[i] as number) + (1 - b1) * gi
        const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi
        m[i] = mi
        v[i] = vi
        w[i] = (w[i] as number) - (lr * mi) / (Math.sqrt(vi) + eps)
      }
    },
  }
}
