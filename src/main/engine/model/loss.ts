import { tf } from '../tf'

/** Reconstruction and KL terms of the VAE loss, kept apart so both can be reported. */

export interface LossTensors {
  total: tf.Scalar
  recon: tf.Scalar
  kl: tf.Scalar
}

/**
 * recon = r_loss_factor · mean over images of the per-image pixel MSE;
 * kl = mean over images of −½·Σ(1 + log σ² − μ² − σ²); total = recon + klWeight·kl.
 * The means divide by `globalBatch` (default: the images given): a data-parallel replica passes the
 * whole step's batch size, so its loss is its images' share and the replicas' gradients sum to the
 * full batch's gradient.
 */
export function vaeLoss(
  images: tf.Tensor4D,
  output: tf.Tensor4D,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  rLossFactor: number,
  klWeight: number,
  globalBatch: number = images.shape[0],
): LossTensors {
  const [, h, w, c] = images.shape
  // Every image has the same pixel count, so Σ per-image MSE = Σ squared errors / pixels per image.
  const reconScale = rLossFactor / (h * w * c * globalBatch)
  const recon = tf.mul(tf.sum(tf.squaredDifference(images, output)), reconScale) as tf.Scalar
  const klSum = tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar)))
  const kl = tf.mul(klSum, -0.5 / globalBatch) as tf.Scalar
  const total = tf.add(recon, tf.mul(kl, klWeight)) as tf.Scalar
  return { total, recon, kl }
}

/** β-weighting with a linear warm-up from 0 over `warmupSteps`. */
export function klWeight(beta: number, warmupSteps: number, step: number): number {
  if (warmupSteps <= 0) return beta
  return beta * Math.min(1, (step + 1) / warmupSteps)
}
