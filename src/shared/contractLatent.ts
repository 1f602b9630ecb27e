/** The contract's latent-space part (issue 4): samples, attribute vectors, statistics, maps, neighbours. */
import { z } from 'zod'
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
  /** ROC AUC of the projection on the vector, test split; null where a class is empty. */
  auc: z.number().nullable(),
  positives: z.number().int(),
  negatives: z.number().int(),
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
})
export type MapResult = z.infer<typeof mapResultSchema>

export const latentMethods = {
  'latent.encode': { input: z.object(optionalRun), output: z.object({ jobId: z.string() }) },
  'latent.sample': {
    input: z.object({
      ...optionalRun,
      count: z.number().int().min(1).max(256).default(16),
      seed: z.number().int().nonnegative().max(0xffffffff).default(1),
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
      /** Where the AUCs were measured: the test split, or all rows when the test split is empty. */
      aucSplit: z.enum(['test', 'all']),
      attributes: z.array(attributeVectorInfoSchema),
    }),
  },
  'latent.strip': {
    input: z.object({
      ...optionalRun,
      source: faceSourceSchema,
      attribute: z.string().min(1).max(64),
      orthogonalTo: z.array(z.string().min(1).max(64)).max(39).default([]),
      from: z.number().min(-8).max(8).default(-4),
      to: z.number().min(-8).max(8).default(4),
      steps: z.number().int().min(2).max(33).default(9),
      /** Also write the strip to this PNG file. */
      savePath: absolutePathSchema.optional(),
    }),
    output: z.object({ image: imageDataUrlSchema, file: z.string().nullable() }),
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

export const latentEvents = {} as const
