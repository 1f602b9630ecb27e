import type { DataSplit, TrainingData } from '../data/trainingData'
import { psnrFromMse } from '../model/pixels'
import type { StepLoss, StepTrainer } from './trainer'

export interface EvalResult extends StepLoss {
  images: number
  /** Per-pixel mean squared error in [0, 1] units, and the PSNR it implies. */
  mse: number
  psnr: number
}

/**
 * Inference-mode loss and PSNR over the first `maxImages` images of a split; null when it is empty.
 */
export async function evaluateSplit(
  trainer: StepTrainer,
  data: TrainingData,
  split: DataSplit,
  maxImages: number,
): Promise<EvalResult | null> {
  const n = Math.min(data.count(split), maxImages)
  if (n === 0) return null
  const sums = { total: 0, recon: 0, kl: 0, sse: 0, values: 0 }
  for (let start = 0; start < n; start += 64) {
    const indices = Array.from({ length: Math.min(64, n - start) }, (_, i) => start + i)
    const r = await trainer.evaluateAsync(await data.readBatch(split, indices))
    sums.total += r.total * indices.length
    sums.recon += r.recon * indices.length
    sums.kl += r.kl * indices.length
    sums.sse += r.sumSquaredError
    sums.values += r.pixels
  }
  const mse = sums.sse / sums.values
  return {
    images: n,
    total: sums.total / n,
    recon: sums.recon / n,
    kl: sums.kl / n,
    mse,
    psnr: psnrFromMse(mse),
  }
}
