import { type AdamMoments, jsAdamMoments } from '../kernels/adamMoments'
import { simdAdamMoments } from '../kernels/simd/adamKernel'

/**
 * Adam with Keras' update rule (ε added to √v, bias correction folded into the step size). One fused
 * pass per parameter costs a fraction of the same update as tfjs ops (ten element-wise
 * kernels, each a full pass and an allocation) on wasm — and every data-parallel
 * replica repeats it. The pass runs in wasm SIMD where it can (moments kept in the kernel's memory),
 * else as a JS loop over Float32Arrays. The caller owns the weights' copy in tfjs.
 */
export interface AdamState {
  iteration: number
  m: Map<string, Float32Array>
  v: Map<string, Float32Array>
}

export class Adam {
  iteration = 0
  private readonly store: AdamMoments

  constructor(
    readonly learningRate: number,
    private readonly sizes: Map<string, number>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
    store?: AdamMoments,
  ) {
    this.store = store ?? simdAdamMoments(sizes) ?? jsAdamMoments(sizes)
  }

  /**
   * Applies one update in place to `weights` from `grads` (both keyed by parameter name); a
   * parameter without a gradient is left alone, moments included.
   */
  apply(weights: Map<string, Float32Array>, grads: Map<string, Float32Array>): void {
    this.iteration++
    const t = this.iteration
    const lr = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t)
    const step = { lr, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon }
    for (const [name, w] of weights) {
      if (this.sizes.get(name) !== w.length) throw new Error(`adam: no state for parameter ${name}`)
      const g = grads.get(name)
      if (!g) continue
      if (g.length !== w.length) {
        throw new Error(`adam: gradient of ${name} has ${g.length} values, expected ${w.length}`)
      }
      this.store.update(name, w, g, step)
    }
  }

  /** Copies of the moments (safe to keep or send while training goes on). */
  getState(): AdamState {
    const m = new Map<string, Float32Array>()
    const v = new Map<string, Float32Array>()
    for (const name of this.sizes.keys()) {
      const s = this.store.moments(name)
      if (!s) continue
      m.set(name, s.m.slice())
      v.set(name, s.v.slice())
    }
    return { iteration: this.iteration, m, v }
  }

  setState(state: AdamState): void {
    const checked = (src: Map<string, Float32Array>, name: string, n: number, what: string) => {
      const from = src.get(name)
      if (!from || from.length !== n) {
        throw new Error(`adam: checkpoint ${what} for ${name} is missing or the wrong size`)
      }
      return from
    }
    // Checked in full before anything is written: a bad checkpoint leaves the state as it was.
    const writes = [...this.sizes].map(([name, n]) => ({
      name,
      m: checked(state.m, name, n, 'first moment'),
      v: checked(state.v, name, n, 'second moment'),
    }))
    for (const w of writes) {
      const s = this.store.moments(w.name) as { m: Float32Array; v: Float32Array }
      s.m.set(w.m)
      s.v.set(w.v)
    }
    this.iteration = state.iteration
  }
}
