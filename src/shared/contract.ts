/**
 * The one typed contract between the studio's processes. Every method, event and payload is declared
 * here with its runtime schema; hosts validate every incoming payload against it before the service
 * sees it. Nothing in src/shared may touch Node or the DOM.
 */
import { z } from 'zod'
import { latentEvents, latentMethods } from './contractLatent'
import { morphEvents, morphMethods } from './contractMorph'
import { selectionMethods } from './contractSelection'
import { MAX_SEED, MAX_TRAIN_EPOCHS, MAX_TRAIN_STEPS } from './limits'
import {
  BACKEND_NAMES,
  MAX_BATCH_SIZE,
  MAX_REPLICAS,
  PRESET_NAMES,
  REQUEST_DEFAULTS,
} from './training'
import { absolutePathSchema, imageDataUrlSchema } from './schemas'
import { ContractError } from './envelope'

export { isAbsolutePath } from './schemas'
export { ContractError } from './envelope'

export const CELEBA_SPLITS = ['train', 'validation', 'test', 'unassigned'] as const
export const splitSchema = z.enum(CELEBA_SPLITS)
export type Split = z.infer<typeof splitSchema>

export const cacheSizeSchema = z.union([z.literal(64), z.literal(128)])
export type CacheSize = z.infer<typeof cacheSizeSchema>

const absolutePath = absolutePathSchema

export const problemSchema = z.object({
  file: z.string(),
  line: z.number().int().positive().optional(),
  reason: z.string(),
})
export type Problem = z.infer<typeof problemSchema>

export const projectSummarySchema = z.object({
  path: z.string(),
  name: z.string(),
  isDemo: z.boolean(),
  datasetRoot: z.string().nullable(),
  images: z.number().int().nonnegative(),
})
export type ProjectSummary = z.infer<typeof projectSummarySchema>

export const recentProjectSchema = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.string(),
})
export type RecentProject = z.infer<typeof recentProjectSchema>

export const datasetSummarySchema = z.object({
  root: z.string().nullable(),
  layout: z.string().nullable(),
  images: z.number().int().nonnegative(),
  splits: z.object({
    train: z.number().int(),
    validation: z.number().int(),
    test: z.number().int(),
    unassigned: z.number().int(),
  }),
  /** attribute name → count of images where it is 1 */
  attributes: z.record(z.string(), z.number().int()),
  attributeNames: z.array(z.string()),
  problems: z.array(problemSchema),
  problemCount: z.number().int().nonnegative(),
})
export type DatasetSummary = z.infer<typeof datasetSummarySchema>

export const attributeFilterSchema = z.object({
  attribute: z.string().min(1).max(64),
  value: z.union([z.literal(1), z.literal(-1)]),
})
export type AttributeFilter = z.infer<typeof attributeFilterSchema>

export const datasetQuerySchema = z.object({
  filters: z.array(attributeFilterSchema).max(64).default([]),
  split: splitSchema.optional(),
  /** Only the image with this file name (as ingested, or its last path segment). */
  file: z.string().min(1).max(1024).optional(),
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(5000).default(200),
})
export type DatasetQuery = z.input<typeof datasetQuerySchema>

export const imageRefSchema = z.object({ id: z.number().int().positive(), file: z.string() })
export type ImageRef = z.infer<typeof imageRefSchema>

export const datasetPageSchema = z.object({
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  items: z.array(imageRefSchema),
})
export type DatasetPage = z.infer<typeof datasetPageSchema>

export const jobKindSchema = z.enum([
  'ingest',
  'demo',
  'synth',
  'train',
  'encode',
  'analysis',
  'export',
])
export type JobKind = z.infer<typeof jobKindSchema>

export const jobRefSchema = z.object({ jobId: z.string().min(1).max(64) })
export type JobRef = z.infer<typeof jobRefSchema>

export const jobProgressSchema = z.object({
  jobId: z.string(),
  kind: jobKindSchema,
  phase: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  ratePerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
})
export type JobProgress = z.infer<typeof jobProgressSchema>

export const jobFinishedSchema = z.object({
  jobId: z.string(),
  kind: jobKindSchema,
  status: z.enum(['done', 'cancelled', 'failed']),
  error: z.string().optional(),
})
export type JobFinished = z.infer<typeof jobFinishedSchema>

export const ingestRequestSchema = z.object({
  datasetDir: absolutePath,
  size: cacheSizeSchema.default(64),
})
export type IngestRequest = z.input<typeof ingestRequestSchema>

export const createProjectSchema = z.object({
  path: absolutePath,
  datasetDir: absolutePath.optional(),
})

export const appInfoSchema = z.object({
  version: z.string(),
  host: z.enum(['electron', 'serve', 'cli']),
  canPickFolders: z.boolean(),
  /** Exports may go where the person picks in a save dialog (else: exports/ and a download). */
  canSaveAs: z.boolean(),
})
export type AppInfo = z.infer<typeof appInfoSchema>

export const presetSchema = z.enum(PRESET_NAMES)
export const backendChoiceSchema = z.enum(BACKEND_NAMES)
export const runStatusSchema = z.enum([
  'created',
  'running',
  'paused',
  'stopped',
  'finished',
  'failed',
])
export type RunStatus = z.infer<typeof runStatusSchema>

export const trainRequestSchema = z
  .object({
    preset: presetSchema.default(REQUEST_DEFAULTS.preset),
    steps: z.number().int().positive().max(MAX_TRAIN_STEPS).optional(),
    epochs: z.number().int().positive().max(MAX_TRAIN_EPOCHS).optional(),
    seed: z.number().int().nonnegative().max(MAX_SEED).default(REQUEST_DEFAULTS.seed),
    backend: backendChoiceSchema.default(REQUEST_DEFAULTS.backend),
    batchSize: z.number().int().positive().max(MAX_BATCH_SIZE).optional(),
    /** Data-parallel threads; absent = the backend's default. */
    replicas: z.number().int().positive().max(MAX_REPLICAS).optional(),
    learningRate: z.number().positive().max(1).optional(),
    rLossFactor: z.number().positive().max(1e7).optional(),
    beta: z.number().nonnegative().max(1000).optional(),
    klWarmupSteps: z.number().int().nonnegative().max(10_000_000).optional(),
    checkpointEverySteps: z.number().int().positive().max(MAX_TRAIN_STEPS).optional(),
    previewEverySteps: z
      .number()
      .int()
      .positive()
      .max(10_000_000)
      .default(REQUEST_DEFAULTS.previewEverySteps),
  })
  .refine((r) => (r.steps === undefined) !== (r.epochs === undefined), {
    message: 'give exactly one of steps and epochs',
    path: ['steps'],
  })
export type TrainRequest = z.input<typeof trainRequestSchema>

export const skippedBackendSchema = z.object({ name: z.string(), reason: z.string() })

/** The GPU adapter of a webgpu run; software = a CPU rasteriser such as llvmpipe. */
export const gpuAdapterSchema = z.object({
  name: z.string(),
  vendor: z.string(),
  software: z.boolean(),
})
export type GpuAdapterInfo = z.infer<typeof gpuAdapterSchema>

/** A finished run's figures on its test split (see the engine's RunQuality). */
export const runQualitySchema = z.object({
  images: z.number().int(),
  testPsnr: z.number(),
  ssim: z.number(),
  kl: z.number(),
  activeUnits: z.number().int(),
  latentDim: z.number().int(),
  sharpness: z.number(),
})
export type RunQualityInfo = z.infer<typeof runQualitySchema>

export const runInfoSchema = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  preset: z.string(),
  seed: z.number().int(),
  status: runStatusSchema,
  stepsDone: z.number().int(),
  targetSteps: z.number().int(),
  backend: z.string().nullable(),
  skippedBackends: z.array(skippedBackendSchema),
  adapter: gpuAdapterSchema.nullable().optional(),
  valLoss: z.number().nullable(),
  testPsnr: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  error: z.string().nullable(),
  /** Absent or null until the run finishes on a test split. */
  quality: runQualitySchema.nullable().optional(),
})
export type RunInfo = z.infer<typeof runInfoSchema>

export const stepMetricSchema = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  total: z.number(),
  recon: z.number(),
  kl: z.number(),
  imagesPerSecond: z.number().nullable(),
})
export type StepMetricPoint = z.infer<typeof stepMetricSchema>

export const runMetricsSchema = z.object({
  runId: z.number().int(),
  steps: z.array(stepMetricSchema),
  epochs: z.array(z.object({ epoch: z.number().int(), valLoss: z.number().nullable() })),
})
export type RunMetrics = z.infer<typeof runMetricsSchema>

export const runRefSchema = z.object({ runId: z.number().int().positive() })

export const trainingStepEventSchema = stepMetricSchema.extend({
  runId: z.number().int(),
  targetSteps: z.number().int(),
  etaSeconds: z.number().nullable(),
})
export type TrainingStepEvent = z.infer<typeof trainingStepEventSchema>

export const trainingPreviewEventSchema = z.object({
  runId: z.number().int(),
  step: z.number().int(),
  /** PNG data URL: the fixed validation faces above, their reconstructions below. */
  image: z.string(),
})
export type TrainingPreviewEvent = z.infer<typeof trainingPreviewEventSchema>

/** The same validation faces reconstructed by two runs, each at its own size. */
export const runComparisonRequestSchema = z
  .object({
    runIds: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    faces: z.number().int().min(1).max(16).default(8),
  })
  .refine((r) => r.runIds[0] !== r.runIds[1], {
    message: 'choose two different runs',
    path: ['runIds'],
  })

export const runComparisonSchema = z.object({
  /** The dataset images compared: the first faces of the validation split. */
  imageIds: z.array(z.number().int().positive()),
  /** PNG data URL: the faces in the top row, the first run's reconstructions, then the second's. */
  image: imageDataUrlSchema,
  runs: z.array(
    z.object({
      runId: z.number().int(),
      step: z.number().int(),
      size: z.number().int(),
      psnr: z.number(),
      ssim: z.number(),
    }),
  ),
})
export type RunComparison = z.infer<typeof runComparisonSchema>

const empty = z.object({}).strict()

/** Every request/response pair the studio answers, by method name. */
export const methods = {
  'app.info': { input: empty, output: appInfoSchema },
  'projects.recent': { input: empty, output: z.array(recentProjectSchema) },
  'projects.current': { input: empty, output: projectSummarySchema.nullable() },
  'projects.create': { input: createProjectSchema, output: projectSummarySchema },
  'projects.open': { input: z.object({ path: absolutePath }), output: projectSummarySchema },
  'projects.openDemo': { input: empty, output: projectSummarySchema },
  'dialog.pickFolder': {
    input: z.object({ title: z.string().max(200).optional() }),
    output: z.object({ path: z.string().nullable() }),
  },
  'dataset.ingest': { input: ingestRequestSchema, output: jobRefSchema },
  'dataset.summary': { input: empty, output: datasetSummarySchema },
  'dataset.query': { input: datasetQuerySchema, output: datasetPageSchema },
  'jobs.cancel': { input: jobRefSchema, output: z.object({ cancelled: z.boolean() }) },
  'jobs.active': { input: empty, output: z.array(jobProgressSchema) },
  'training.start': { input: trainRequestSchema, output: runRefSchema },
  'training.resumeRun': {
    /** backend: another than the run's own (e.g. after moving the project to a GPU machine). */
    input: runRefSchema.extend({ backend: backendChoiceSchema.optional() }),
    output: runRefSchema,
  },
  'training.pause': { input: runRefSchema, output: z.object({ ok: z.boolean() }) },
  'training.resume': { input: runRefSchema, output: z.object({ ok: z.boolean() }) },
  'training.stop': { input: runRefSchema, output: z.object({ ok: z.boolean() }) },
  'training.active': { input: empty, output: runInfoSchema.nullable() },
  'runs.list': { input: empty, output: z.array(runInfoSchema) },
  'runs.metrics': {
    input: runRefSchema.extend({ sinceStep: z.number().int().nonnegative().default(0) }),
    output: runMetricsSchema,
  },
  'runs.preview': { input: runRefSchema, output: trainingPreviewEventSchema.nullable() },
  'runs.compare': { input: runComparisonRequestSchema, output: runComparisonSchema },
  ...latentMethods,
  ...morphMethods,
  ...selectionMethods,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>

export type MethodName = keyof typeof methods
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>
export type MethodParsedInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>

/** Everything the studio pushes to its clients, by event name. */
export const events = {
  'job.progress': jobProgressSchema,
  'job.finished': jobFinishedSchema,
  'project.changed': projectSummarySchema.nullable(),
  'training.step': trainingStepEventSchema,
  'training.epoch': z.object({
    runId: z.number().int(),
    epoch: z.number().int(),
    step: z.number().int(),
    valLoss: z.number().nullable(),
  }),
  'training.preview': trainingPreviewEventSchema,
  'training.status': runInfoSchema,
  ...latentEvents,
  ...morphEvents,
} as const satisfies Record<string, z.ZodType>

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

/** The service every host exposes, and every client calls. */
export type StudioApi = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>>
}

/** What a client (preload bridge or WebSocket) offers the renderer. */
export interface StudioClient {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** URL of a dataset image's thumbnail at the cache resolution. */
  thumbnailUrl(imageId: number): string
  /** URL that downloads a finished export from the project's exports/ folder (serve mode only). */
  downloadUrl?(name: string): string
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name)
}

/** Validates a method's input; the message names the field at fault. */
export function parseMethodInput<M extends MethodName>(
  method: M,
  input: unknown,
): MethodParsedInput<M> {
  const result = methods[method].input.safeParse(input ?? {})
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload'
    throw new ContractError(`${method}: ${where}: ${issue?.message ?? 'invalid'}`, 'bad-request')
  }
  return result.data as MethodParsedInput<M>
}
