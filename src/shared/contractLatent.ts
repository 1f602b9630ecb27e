/** The contract's latent-space part: samples, attribute vectors, statistics, maps, neighbours. */
import { z } from 'zod'
import { nameEndingProblem, saveTargetSchema, savedFileSchema } from './exportTarget'
import { MAX_SAMPLE_COUNT, MAX_SEED } from './limits'
import { absolutePathSchema, imageDataUrlSchema, latentSchema, runIdSchema } from './schemas'

/** Where a face comes from: a dataset image, a prior sample, the user's own photo, or a latent. */
export const faceSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('image'), imageId: z.number().int().positive() }),
  z.object({
    kind: z.literal('sample'),
    seed: z.number().int().nonnegative().max(0xffffffff),
    temperature: z.number().positive().max(10).default(1),
  }),
  z.object({ kind: z.literal('file'), path: absolutePathSchema }),
  z.object({
    kind: z.literal('latent'),
    latent: latentSchema,
    label: z.string().max(200).optional(),
  }),
])
export type FaceSource = z.input<typeof faceSourceSchema>

/** How attribute directions are found: the seed's mean difference, or a linear classifier's normal. */
export const directionMethodSchema = z.enum(['mean-diff', 'linear'])
export type DirectionMethodName = z.infer<typeof directionMethodSchema>

export const attributeEditSchema = z.object({
  attribute: z.string().min(1).max(64),
  intensity: z.number().min(-8).max(8),
  /** Conditional editing: the direction is made orthogonal to these attributes' directions. */
  orthogonalTo: z.array(z.string().min(1).max(64)).max(39).default([]),
  method: directionMethodSchema.optional(),
})
export type AttributeEdit = z.input<typeof attributeEditSchema>

export const mapMethodSchema = z.enum(['pca', 'umap', 'tsne'])
export type MapMethod = z.infer<typeof mapMethodSchema>

const optionalRun = { runId: runIdSchema.optional() }

export const resolvedFaceSchema = z.object({
  runId: z.number().int(),
  latent: z.array(z.number()),
  image: imageDataUrlSchema,
  label: z.string(),
})
export type ResolvedFace = z.infer<typeof resolvedFaceSchema>

export const attributeVectorInfoSchema = z.object({
  name: z.string(),
  /** ROC AUC of the projection on the vector, on the aucSplit faces; null where a class is empty. */
  auc: z.number().nullable(),
  positives: z.number().int(),
  negatives: z.number().int(),
  /** The run's own attribute, made from a selection (listed after the built-in ones). */
  custom: z.boolean().default(false),
})

export const latentStatisticsSchema = z.object({
  runId: z.number().int(),
  images: z.number().int(),
  dim: z.number().int(),
  activeUnits: z.number().int(),
  mean: z.array(z.number()),
  variance: z.array(z.number()),
  klPerDimension: z.array(z.number()),
  histograms: z.array(
    z.object({
      dim: z.number().int(),
      edges: z.array(z.number()),
      counts: z.array(z.number()),
      /** Expected counts per bin under N(0, 1), for the red curve. */
      normal: z.array(z.number()),
    }),
  ),
})
export type LatentStatistics = z.infer<typeof latentStatisticsSchema>

export const mapResultSchema = z.object({
  runId: z.number().int(),
  method: mapMethodSchema,
  points: z.number().int(),
  seconds: z.number(),
  /** base64 of a Float32Array: x0, y0, x1, y1, … */
  coords: z.string(),
  /** base64 of an Int32Array: the dataset image of each point. */
  imageIds: z.string(),
  /** base64 of an Int8Array (1, −1, 0 = missing) of the colour attribute, aligned with the points. */
  colors: z.string().nullable(),
  /** The colour attribute as the dataset (or the run's own attributes) spell it. */
  colorBy: z.string().nullable().optional(),
})
export type MapResult = z.infer<typeof mapResultSchema>

/** Whether a run's latents follow its current checkpoint, and what encoding them would take. */
export const latentStatusSchema = z.object({
  /** null: the project has no trained run yet. */
  runId: z.number().int().nullable(),
  /** The step of the run's checkpoint: the latents that count are those encoded with it. */
  step: z.number().int(),
  /** Images the run would encode (the image cache at the model's size). */
  images: z.number().int(),
  /** Latents from the current checkpoint. */
  current: z.number().int(),
  /** Latents from an earlier checkpoint of the run: never used, re-encoded by an encode. */
  stale: z.number().int(),
  state: z.enum(['untrained', 'missing', 'stale', 'partial', 'ready']),
  /** Seconds an encode of what is missing would take: the run's measured speed, or a default. */
  estimatedSeconds: z.number().nonnegative(),
  /** The encode job running now, if any. */
  jobId: z.string().nullable(),
})
export type LatentStatus = z.infer<typeof latentStatusSchema>

export const latentMethods = {
  'latent.encode': { input: z.object(optionalRun), output: z.object({ jobId: z.string() }) },
  'latent.status': { input: z.object(optionalRun), output: latentStatusSchema },
  'latent.sample': {
    input: z.object({
      ...optionalRun,
      count: z
        .number()
        .int()
        .min(1)
        .max(MAX_SAMPLE_COUNT, `count: at most ${MAX_SAMPLE_COUNT} faces per sample`)
        .default(16),
      seed: z.number().int().nonnegative().max(MAX_SEED).default(1),
      temperature: z.number().positive().max(10).default(1),
    }),
    output: z.object({ runId: z.number().int(), faces: z.array(resolvedFaceSchema) }),
  },
  'latent.resolve': {
    input: z.object({ ...optionalRun, source: faceSourceSchema }),
    output: resolvedFaceSchema,
  },
  'latent.reconstruct': {
    input: z.object({
      ...optionalRun,
      imageIds: z.array(z.number().int().positive()).min(1).max(64),
    }),
    /** The seed's figure: the dataset faces above, their reconstructions below. */
    output: z.object({ image: imageDataUrlSchema }),
  },
  'latent.decode': {
    input: z.object({ ...optionalRun, latent: latentSchema }),
    output: z.object({ image: imageDataUrlSchema }),
  },
  'latent.edit': {
    input: z.object({
      ...optionalRun,
      latent: latentSchema,
      edits: z.array(attributeEditSchema).max(40),
    }),
    output: z.object({ latent: z.array(z.number()), image: imageDataUrlSchema }),
  },
  'latent.vectors': {
    input: z.object({ ...optionalRun, method: directionMethodSchema.optional() }),
    output: z.object({
      runId: z.number().int(),
      method: directionMethodSchema.optional(),
      latents: z.number().int(),
      /**
       * Where the AUCs were measured: the test split, or (without one) a seeded held-out 10 % of the
       * faces; either way the vectors come from the other faces.
       */
      aucSplit: z.enum(['test', 'held-out 10 %']),
      /** How many faces the AUCs were measured on. */
      aucLatents: z.number().int().optional(),
      /** Read from the run's analysis cache rather than computed now. */
      cached: z.boolean().optional(),
      attributes: z.array(attributeVectorInfoSchema),
    }),
  },
  'latent.strip': {
    input: z
      .object({
        ...optionalRun,
        source: faceSourceSchema,
        attribute: z.string().min(1).max(64),
        orthogonalTo: z.array(z.string().min(1).max(64)).max(39).default([]),
        from: z.number().min(-8).max(8).default(-4),
        to: z.number().min(-8).max(8).default(4),
        steps: z.number().int().min(2).max(33).default(9),
        /** Also write the strip as a PNG: into exports/ by name, or where a save dialog says. */
        save: saveTargetSchema.optional(),
      })
      .strict()
      .superRefine((input, ctx) => {
        const name = input.save?.kind === 'exports' ? input.save.name : input.save?.suggestedName
        const problem = name === undefined ? null : nameEndingProblem(name, '.png')
        if (problem) ctx.addIssue({ code: 'custom', path: ['save', 'name'], message: problem })
      }),
    output: savedFileSchema.extend({ image: imageDataUrlSchema }),
  },
  'latent.statistics': {
    input: z.object({
      ...optionalRun,
      dims: z.number().int().min(1).max(512).default(30),
      bins: z.number().int().min(5).max(200).default(40),
    }),
    output: latentStatisticsSchema,
  },
  'latent.map': {
    input: z.object({
      ...optionalRun,
      method: mapMethodSchema,
      limit: z.number().int().positive().max(1_000_000).optional(),
    }),
    output: z.object({ jobId: z.string().nullable(), cached: z.boolean() }),
  },
  'latent.mapResult': {
    input: z.object({
      ...optionalRun,
      method: mapMethodSchema,
      limit: z.number().int().positive().max(1_000_000).optional(),
      colorBy: z.string().min(1).max(64).optional(),
    }),
    output: mapResultSchema.nullable(),
  },
  'latent.neighbours': {
    input: z.object({
      ...optionalRun,
      latent: latentSchema,
      k: z.number().int().min(1).max(64).default(8),
    }),
    output: z.object({
      items: z.array(
        z.object({ imageId: z.number().int(), file: z.string(), distance: z.number() }),
      ),
    }),
  },
} as const

export const latentEvents = {
  /** An encode finished: the run's latents (and the screens built on them) changed. */
  'latent.encoded': z.object({
    runId: z.number().int(),
    step: z.number().int(),
    latents: z.number().int(),
  }),
} as const
