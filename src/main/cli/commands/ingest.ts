/** `face-studio ingest DATASET_DIR --project DIR [--size 64|128] [--json]` */
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { NoImagesError, type IngestResult } from '../../dataset/ingest'
import { CancelledError } from '../../../shared/progress'
import { UserFacingError } from '../errors'
import { oneOf } from '../options'
import { createReporter } from '../report'
import { withStudio } from '../studio'

interface IngestFlags {
  project: string
  size: '64' | '128'
  json?: boolean
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'read a CelebA folder (or any folder of face images) into a project and cache its pixels',
    )
    .argument('<DATASET_DIR>', 'the dataset folder, or its image folder')
    .requiredOption('--project <DIR>', 'project folder (created if missing)')
    .option('--size <PIXELS>', 'cache resolution: 64 or 128', oneOf(['64', '128'] as const), '64')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (datasetDir: string, flags: IngestFlags) => {
      const reporter = createReporter(flags.json === true)
      const controller = new AbortController()
      const onSignal = (): void => controller.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        await withStudio(flags.project, { create: true }, async (studio) => {
          const request = studio.parse('dataset.ingest', {
            datasetDir: resolve(datasetDir),
            size: Number(flags.size) as 64 | 128,
          })
          const result = await studio.service.ingest(request.datasetDir, request.size, {
            signal: controller.signal,
            onProgress: (update) => reporter.progress(update),
          })
          reporter.result(
            {
              images: result.images,
              splits: result.splits,
              attributes: result.attributes,
              problems: result.problems,
              notices: result.notices,
              latentsDropped: result.stats.latentsDropped,
            },
            () => humanSummary(result, studio.paths.root),
          )
        })
      } catch (error) {
        if (error instanceof NoImagesError || error instanceof CancelledError) {
          throw new UserFacingError(error.message)
        }
        throw error
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        reporter.close()
      }
    })
}

const LISTED_PROBLEMS = 20

function humanSummary(result: IngestResult, project: string): string {
  const { splits, stats } = result
  const lines = [
    `Ingested ${result.images} images into ${project}`,
    `  splits: train ${splits.train}, validation ${splits.validation}, test ${splits.test}, unassigned ${splits.unassigned}`,
    `  this run: ${stats.processed} decoded, ${stats.reused} unchanged; ${stats.added} new, ${stats.changed} changed, ${stats.removed} removed files`,
  ]
  for (const notice of result.notices) lines.push(`  note: ${notice}`)
  const attributes = Object.entries(result.attributes)
  if (attributes.length > 0) {
    lines.push(
      `  attributes (${attributes.length}): ${attributes.map(([n, c]) => `${n} ${c}`).join(', ')}`,
    )
  }
  if (result.problems.length > 0) {
    lines.push(`${result.problems.length} problem(s), skipped:`)
    for (const p of result.problems.slice(0, LISTED_PROBLEMS)) {
      lines.push(`  ${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.reason}`)
    }
    if (result.problems.length > LISTED_PROBLEMS) {
      lines.push(`  … and ${result.problems.length - LISTED_PROBLEMS} more (use --json for all)`)
    }
  }
  return lines.join('\n')
}
