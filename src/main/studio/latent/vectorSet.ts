import type { DirectionMethodName } from '../../../shared/contractLatent'

/**
 * The shape of a run's attribute vectors and how their AUCs were measured, apart from the code that
 * computes them so that the run's own attributes can extend a set without importing that code.
 */

/** Without a test split, this share of the images is held out for the AUCs, chosen by this seed. */
export const HELD_OUT_SHARE = 0.1
export const HELD_OUT_SEED = 0x5eed
export const HELD_OUT_SPLIT = `held-out ${HELD_OUT_SHARE * 100} %` as const

/** Where the AUCs were measured: the dataset's test split, or a seeded held-out share of it. */
export type AucSplit = 'test' | typeof HELD_OUT_SPLIT

/**
 * How a direction is found: the seed's difference of class means, or the normal of an
 * L2-regularised logistic regression on the latents; either is fitted on the rows outside the AUC rows.
 */
/** The contract's direction methods: the seed's mean difference, or a logistic-regression normal. */
export type DirectionMethod = DirectionMethodName

export interface AttributeVectorSet {
  runId: number
  /** How many latents there are: the vectors come from those outside the AUC rows. */
  latents: number
  dim: number
  names: string[]
  /** A×D unit rows; all zeros where a class was empty. */
  vectors: Float32Array
  valid: boolean[]
  /** Faces with and without each attribute among those the vectors come from. */
  positives: number[]
  negatives: number[]
  aucs: (number | null)[]
  aucSplit: AucSplit
  /** How many latents the AUCs were measured on. */
  aucLatents: number
  /** Absent in sets cached before there was a choice: those are mean differences. */
  method?: DirectionMethod
  /** Per name: true for the run's own attributes (after the built-in ones). */
  custom?: boolean[]
}
