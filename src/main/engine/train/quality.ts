import { activeUnits, meanSsim, relativeSharpness } from '../../analysis/imageQuality'
import type { TrainingData } from '../data/trainingData'
import { mixSeed } from '../model/rng'
import type { EvalResult } from './evaluate'
import type { StepTrainer } from './trainer'

/** A finished run's quality on its test split. */
export interface RunQuality {
  /** Test images measured (the first ones of the split). */
  images: number
  testPsnr: number
  /** Mean SSIM of the reconstructions from μ. */
  ssim: number
  /** Mean KL divergence per image. */
  kl: number
  /** Latent dimensions whose μ varies over the test faces (variance above 0.01). */
  activeUnits: number
  latentDim: number
  /** Laplacian variance of prior samples relative to that of the real test faces. */
  sharpness: number
}

const CHUNK = 64
/** Prior samples drawn for the sharpness figure. */
export const QUALITY_SAMPLES = 64

/** SSIM, active units and sharpness on the test split, beside the loss and PSNR already measured. */
export async function measureQuality(
  trainer: StepTrainer,
  data: TrainingData,
  test: EvalResult,
): Promise<RunQuality> {
  const side = data.size
  const dim = trainer.config.model.latentDim
  const n = test.images
  const mu = new Float32Array(n * dim)
  let ssimSum = 0
  const realForSharpness: Uint8Array[] = []
  let realCount = 0
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start)
    const images = await data.readBatch(
      'test',
      Array.from({ length: count }, (_, i) => start + i),
    )
    const out = await trainer.inspectAsync(images)
    mu.set(out.mu, start * dim)
    ssimSum += meanSsim(images, 3, out.reconstructions, 4, count, side) * count
    if (realCount < QUALITY_SAMPLES) {
      realForSharpness.push(images)
      realCount += count
    }
  }
  const real = Buffer.concat(realForSharpness)
  const samples = await trainer.sampleAsync(QUALITY_SAMPLES, mixSeed(trainer.config.seed, 0x5a3e))
  return {
    images: n,
    testPsnr: test.psnr,
    ssim: ssimSum / n,
    kl: test.kl,
    activeUnits: activeUnits(mu, dim),
    latentDim: dim,
    sharpness: relativeSharpness(samples, 4, QUALITY_SAMPLES, real, 3, realCount, side),
  }
}
