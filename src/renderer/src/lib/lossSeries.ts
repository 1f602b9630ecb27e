/**
 * Loss curves of training runs: merging the stored metrics with live step events, exponential
 * smoothing, and decimation for drawing. Pure, so the chart stays a thin drawing layer.
 */

export interface LossPoint {
  step: number
  /** 0-based epoch the step belongs to. */
  epoch: number
  total: number
  recon: number
  kl: number
}

export type LossSeriesName = 'total' | 'recon' | 'kl'
export const LOSS_SERIES: readonly LossSeriesName[] = ['total', 'recon', 'kl']

/** A validation loss at the end of an epoch; `step` is known for live events, derived otherwise. */
export interface ValidationPoint {
  epoch: number
  step?: number
  valLoss: number | null
}

/** One run as the loss chart draws it. */
export interface ChartRun {
  runId: number
  label: string
  /** Overlaid runs get one colour for all their series; the main run colours each series. */
  color: string | null
  steps: readonly LossPoint[]
  epochs: readonly ValidationPoint[]
}

/**
 * The union of two step series, ascending by step, one point per step (the later source wins:
 * a resumed run re-trains the steps after its checkpoint, and the fresh values replace the old).
 */
export function mergeSteps<T extends { step: number }>(
  existing: readonly T[],
  incoming: readonly T[],
): T[] {
  if (incoming.length === 0) return existing.slice()
  const last = existing.length > 0 ? (existing[existing.length - 1] as T).step : -Infinity
  if (isStrictlyAscending(incoming) && (incoming[0] as T).step > last) {
    return existing.concat(incoming)
  }
  const byStep = new Map<number, T>()
  for (const p of existing) byStep.set(p.step, p)
  for (const p of incoming) byStep.set(p.step, p)
  return [...byStep.values()].sort((a, b) => a.step - b.step)
}

/**
 * Adds one live point to an ascending series IN PLACE (live runs append tens of points a second
 * to series of up to 100k; copying each time would be quadratic). Returns whether the series grew.
 */
export function insertStep<T extends { step: number }>(series: T[], point: T): boolean {
  const n = series.length
  if (n === 0 || (series[n - 1] as T).step < point.step) {
    series.push(point)
    return true
  }
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((series[mid] as T).step < point.step) lo = mid + 1
    else hi = mid
  }
  if (lo < n && (series[lo] as T).step === point.step) {
    series[lo] = point
    return false
  }
  series.splice(lo, 0, point)
  return true
}

function isStrictlyAscending(points: readonly { step: number }[]): boolean {
  for (let i = 1; i < points.length; i++) {
    if ((points[i] as { step: number }).step <= (points[i - 1] as { step: number }).step)
      return false
  }
  return true
}

/**
 * The step after which the series first misses a step (steps count from 1), or the last step when
 * it has no hole. Live events can skip steps the page did not hear (it opened mid-run); this is the
 * `sinceStep` to ask the database for.
 */
export function contiguousUntil(series: readonly { step: number }[]): number {
  let expected = 1
  for (const p of series) {
    if (p.step > expected) return expected - 1
    expected = p.step + 1
  }
  return expected - 1
}

/**
 * Whether a run's series (steps count from 1, one point each, ascending) misses any step. O(1), for
 * every live event: then only the series' length can equal its last step.
 */
export function hasGap(series: readonly { step: number }[]): boolean {
  const last = series[series.length - 1]
  return last !== undefined && last.step !== series.length
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first values are not dragged towards
 * 0). `smoothing` in [0, 1): 0 returns the values, 0.99 averages over about a hundred steps.
 * Non-finite values pass through without touching the average.
 */
export function emaSmooth(values: ArrayLike<number>, smoothing: number): number[] {
  const out = Float64Array.from(values as ArrayLike<number>)
  emaInPlace(out, smoothing)
  return [...out]
}

function emaInPlace(values: Float64Array, smoothing: number): void {
  const s = Math.min(Math.max(smoothing, 0), 0.999)
  if (s === 0) return
  const k = 1 - s
  let average = 0
  let weight = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (v - v !== 0) continue // NaN or ±Infinity: passes through, the average ignores it
    average = average * s + k * v
    weight = weight * s + k
    values[i] = average / weight
  }
}

/**
 * Indices of at most `maxPoints` values that draw like all of them: the series is cut into buckets
 * and each keeps its first, lowest, highest and last value, so spikes survive (an average or a
 * stride would hide a divergence). Ascending, always with the first and last index; budgets
 * under 4 still get one whole bucket.
 */
export function downsampleIndices(values: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length
  const limit = Math.max(2, Math.floor(maxPoints))
  if (n <= limit) return Array.from({ length: n }, (_, i) => i)
  const buckets = Math.max(1, Math.floor(limit / 4))
  const size = n / buckets
  const out: number[] = []
  const push = (i: number): void => {
    if (out[out.length - 1] !== i) out.push(i)
  }
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size)
    const end = b === buckets - 1 ? n : Math.floor((b + 1) * size)
    if (end <= start) continue
    let min = start
    let max = start
    let minValue = values[start] as number
    let maxValue = minValue
    for (let i = start + 1; i < end; i++) {
      const v = values[i] as number
      if (v < minValue) {
        minValue = v
        min = i
      } else if (v > maxValue) {
        maxValue = v
        max = i
      }
    }
    push(start)
    push(Math.min(min, max))
    push(Math.max(min, max))
    push(end - 1)
  }
  return out
}

/** One drawable line: steps and values, decimated for a chart `maxPoints` wide. */
export function drawableSeries(
  points: readonly LossPoint[],
  series: LossSeriesName,
  smoothing: number,
  maxPoints: number,
): { x: number[]; y: number[] } {
  const n = points.length
  // Typed arrays and plain loops: this runs for every series on every redraw of up to 100k steps.
  const smoothed = new Float64Array(n)
  for (let i = 0; i < n; i++) smoothed[i] = (points[i] as LossPoint)[series]
  emaInPlace(smoothed, smoothing)
  const keep = downsampleIndices(smoothed, maxPoints)
  return {
    x: keep.map((i) => (points[i] as LossPoint).step),
    y: keep.map((i) => smoothed[i] as number),
  }
}

/**
 * Where each epoch's validation loss goes on the step axis: at the step the event named, else at
 * the epoch's last recorded step. Epochs without a loss or without steps are left out.
 */
export function placeValidation(
  epochs: readonly ValidationPoint[],
  steps: readonly LossPoint[],
): { step: number; valLoss: number }[] {
  const lastStepOf = new Map<number, number>()
  for (const p of steps) lastStepOf.set(p.epoch, Math.max(lastStepOf.get(p.epoch) ?? 0, p.step))
  const out: { step: number; valLoss: number }[] = []
  for (const e of epochs) {
    if (e.valLoss === null || !Number.isFinite(e.valLoss)) continue
    const step = e.step ?? lastStepOf.get(e.epoch)
    if (step !== undefined) out.push({ step, valLoss: e.valLoss })
  }
  return out.sort((a, b) => a.step - b.step)
}

/** One validation point per epoch, the later source winning, ascending by epoch. */
export function mergeEpochs(
  existing: readonly ValidationPoint[],
  incoming: readonly ValidationPoint[],
): ValidationPoint[] {
  const byEpoch = new Map<number, ValidationPoint>()
  for (const e of existing) byEpoch.set(e.epoch, e)
  for (const e of incoming) {
    const before = byEpoch.get(e.epoch)
    // The database does not know the step; keep the one a live event gave.
    byEpoch.set(
      e.epoch,
      e.step === undefined && before?.step !== undefined ? { ...e, step: before.step } : e,
    )
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch)
}

/** [min, max] of the finite values (positive only on a log scale); null when there are none. */
export function valueExtent(
  lists: readonly (readonly number[])[],
  positiveOnly: boolean,
): [number, number] | null {
  let min = Infinity
  let max = -Infinity
  for (const list of lists) {
    for (const v of list) {
      if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  return min <= max ? [min, max] : null
}
