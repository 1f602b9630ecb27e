/** The contract's morph part: saved timelines, scrubbing, export. */
import { z } from 'zod'
import { faceSourceSchema } from './contractLatent'
import { timelineSchema } from './latent/timeline'
import { nameEndingProblem, saveTargetSchema } from './exportTarget'
import { imageDataUrlSchema, runIdSchema } from './schemas'

export const exportFormatSchema = z.enum(['gif', 'webp', 'png-strip', 'png-sequence'])
export type ExportFormat = z.infer<typeof exportFormatSchema>

/** The file ending of each format; a PNG sequence is a folder, so it has none. */
export const FORMAT_ENDING: Record<ExportFormat, string> = {
  gif: '.gif',
  webp: '.webp',
  'png-strip': '.png',
  'png-sequence': '',
}

/** A timeline as saved in the project: the latents and where each keyframe came from. */
export const savedTimelineSchema = z.object({
  name: z.string().min(1).max(200),
  runId: z.number().int().positive().nullable(),
  timeline: timelineSchema,
  /** One per keyframe, in order. */
  sources: z.array(faceSourceSchema),
})
export type SavedTimeline = z.input<typeof savedTimelineSchema>

const exportOptionsSchema = z.object({
  runId: runIdSchema.optional(),
  timeline: timelineSchema,
  format: exportFormatSchema,
  size: z.number().int().min(32).max(512).default(256),
  sharpen: z.boolean().default(false),
  /** Plays of the animation: 0 = forever. */
  loop: z.number().int().min(0).max(1000).default(0),
  /** The keyframes' sources, in order: the contact strip shows the real faces at its ends. */
  sources: z.array(faceSourceSchema).optional(),
})

export const morphMethods = {
  'timelines.list': {
    input: z.object({}).strict(),
    output: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        updatedAt: z.string(),
        keyframes: z.number().int(),
      }),
    ),
  },
  'timelines.get': {
    input: z.object({ id: z.number().int().positive() }),
    output: savedTimelineSchema.extend({ id: z.number().int(), updatedAt: z.string() }),
  },
  'timelines.save': {
    input: savedTimelineSchema.extend({ id: z.number().int().positive().optional() }),
    output: z.object({ id: z.number().int() }),
  },
  'timelines.delete': {
    input: z.object({ id: z.number().int().positive() }),
    output: z.object({ ok: z.boolean() }),
  },
  'morph.frame': {
    input: z.object({
      runId: runIdSchema.optional(),
      timeline: timelineSchema,
      /** Playhead in frames of the schedule; fractional between frames. */
      position: z.number().nonnegative().max(100_000),
    }),
    output: z.object({ image: imageDataUrlSchema }),
  },
  'morph.estimate': {
    input: exportOptionsSchema,
    output: z.object({ bytes: z.number().int(), frames: z.number().int() }),
  },
  'morph.export': {
    input: exportOptionsSchema
      .extend({ target: saveTargetSchema })
      .strict()
      .superRefine((input, ctx) => {
        const name =
          input.target.kind === 'exports' ? input.target.name : input.target.suggestedName
        const problem =
          name === undefined ? null : nameEndingProblem(name, FORMAT_ENDING[input.format])
        if (problem) {
          const key = input.target.kind === 'exports' ? 'name' : 'suggestedName'
          ctx.addIssue({ code: 'custom', path: ['target', key], message: problem })
        }
      }),
    /**
     * The job, the absolute path it writes and the exports/ name to download it by (null outside
     * exports/); jobId and file are null when the person cancelled the save dialog.
     */
    output: z.object({
      jobId: z.string().nullable(),
      file: z.string().nullable(),
      download: z.string().nullable(),
    }),
  },
} as const

export const morphEvents = {} as const
