import { tf } from '../tf'

/**
 * Adam with Keras' update rule (ε added to √v, bias correction folded into the step size). Written
 * out rather than taken from tf.train so its moments and iteration are plain, saveable state.
 */
export interface AdamState {
  iteration: number
  m: Map<string, Float32Array>
  v: Map<string, Float32Array>
}

export class Adam {
  iteration = 0
  private readonly m = new Map<string, tf.Variable>()
  private readonly v = new Map<string, tf.Variable>()

  constructor(
    readonly learningRate: number,
    shapes: Map<string, number[]>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    for (const [name, shape] of shapes) {
      this.m.set(name, tf.variable(tf.zeros(shape), false))
      this.v.set(name, tf.variable(tf.zeros(shape), false))
    }
  }

  /** Applies one update; `grads` maps parameter names to gradients (all are disposed by the caller). */
  apply(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>): void {
    this.iteration++
    const t = this.iteration
    const lr = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t)
    tf.tidy(() => {
      for (const [name, g] of grads) {
        const p = params.get(name)
        const m = this.m.get(name)
        const v = this.v.get(name)
        if (!p || !m || !v) throw new Error(`adam: no state for parameter ${name}`)
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1))
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2))
        p.assign(tf.sub(p, tf.mul(tf.div(newM, tf.add(tf.sqrt(newV), this.epsilon)), lr)))
        m.assign(newM)
        v.assign(newV)
      }
    })
  }

  getState(): AdamState {
    const read = (src: Map<string, tf.Variable>) =>
      new Map([...src].map(([k, t]) => [k, t.dataSync() as Float32Array]))
    return { iteration: this.iteration, m: read(this.m), v: read(this.v) }
  }

  setState(state: AdamState): void {
    const write = (dst: Map<string, tf.Variable>, src: Map<string, Float32Array>, what: string) => {
      for (const [name, variable] of dst) {
        const values = src.get(name)
        if (!values || values.length !== variable.size) {
          throw new Error(`adam: checkpoint ${what} for ${name} is missing or the wrong size`)
        }
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)))
      }
    }
    write(this.m, state.m, 'first moment')
    write(this.v, state.v, 'second moment')
    this.iteration = state.iteration
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose()
  }
}
