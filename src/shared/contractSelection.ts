/**
 * The contract's part for groups of faces: finding faces, a selection's make-up and mean face,
 * exporting a selection, and the run's own (custom) attributes made from selections.
 */
import { z } from 'zod'
import { absolutePathSchema, runIdSchema } from './schemas'

const optionalRun = { runId: runIdSchema.optional() }
/** Up to CelebA's size and more: a selection may be the whole map. */
const imageIdsSchema = z.array(z.number().int().positive()).max(2_000_000)
const customNameSchema = z.string().trim().min(1).max(64)

export const customAttributeInfoSchema = z.object({
  name: z.string(),
  /** ROC AUC on a seeded held-out share of the two groups; null where a group is too small. */
  auc: z.number().nullable(),
  positives: z.number().int(),
  negatives: z.number().int(),
  /** Told apart from every other face ('rest') or from a second selection. */
  versus: z.enum(['rest', 'selection']),
})
export type CustomAttributeInfo = z.infer<typeof customAttributeInfoSchema>

export const attributeShareSchema = z.object({
  name: z.string(),
  selected: z.number(),
  overall: z.number(),
})
export type AttributeShare = z.infer<typeof attributeShareSchema>

export const selectionMethods = {
  'selection.find': {
    input: z.object({
      query: z.string().trim().min(1).max(200),
      limit: z.number().int().min(1).max(50).default(10),
    }),
    output: z.object({
      items: z.array(z.object({ imageId: z.number().int(), file: z.string() })),
    }),
  },
  'selection.makeup': {
    input: z.object({ imageIds: imageIdsSchema }),
    output: z.object({
      selected: z.number().int(),
      total: z.number().int(),
      attributes: z.array(attributeShareSchema),
    }),
  },
  'selection.meanLatent': {
    input: z.object({ ...optionalRun, imageIds: imageIdsSchema.min(1) }),
    output: z.object({ runId: z.number().int(), latent: z.array(z.number()), faces: z.number() }),
  },
  'selection.export': {
    input: z.object({ ...optionalRun, imageIds: imageIdsSchema.min(1), to: absolutePathSchema }),
    output: z.object({
      kind: z.enum(['folder', 'csv', 'png']),
      path: z.string(),
      faces: z.number().int(),
    }),
  },
  'attributes.custom.add': {
    input: z.object({
      ...optionalRun,
      name: customNameSchema,
      positives: imageIdsSchema.min(1),
      /** A second selection; without it the attribute is told apart from every other face. */
      negatives: imageIdsSchema.min(1).optional(),
    }),
    output: customAttributeInfoSchema,
  },
  'attributes.custom.list': {
    input: z.object(optionalRun),
    output: z.object({ runId: z.number().int(), items: z.array(customAttributeInfoSchema) }),
  },
  'attributes.custom.remove': {
    input: z.object({ ...optionalRun, name: customNameSchema }),
    output: z.object({ removed: z.string() }),
  },
  'attributes.custom.label': {
    input: z.object({
      ...optionalRun,
      name: customNameSchema,
      imageId: z.number().int().positive(),
      /** 1 has it, −1 lacks it, 0 forgets the hand label. */
      label: z.union([z.literal(1), z.literal(-1), z.literal(0)]),
    }),
    output: customAttributeInfoSchema,
  },
  'attributes.custom.faces': {
    input: z.object({ ...optionalRun, name: customNameSchema }),
    output: z.object({
      positives: z.array(z.number().int()),
      negatives: z.array(z.number().int()),
    }),
  },
} as const
