import { resolve } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { generateSyntheticDataset, DEFAULT_SYNTH_SEED } from '../../dataset/synth/generate'
import { nonNegativeInt, positiveInt } from '../options'
import { createReporter } from '../report'

interface SynthOptions {
  out: string
  count: number
  seed: number
  json?: boolean
}

function seed(value: string): number {
  const n = nonNegativeInt(value)
  if (n > 0xffffffff)
    throw new InvalidArgumentError(`expected a seed from 0 to 4294967295, got "${value}"`)
  return n
}

/** `face-studio synth`: a synthetic dataset in CelebA's original layout. */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description(
      'Write procedurally drawn faces in the CelebA layout (img_align_celeba/, list_attr_celeba.txt, list_eval_partition.txt)',
    )
    .requiredOption('--out <dir>', 'folder to write (created if missing)')
    .requiredOption('--count <n>', 'number of faces', positiveInt)
    .option(
      '--seed <s>',
      'random seed (0 to 4294967295): the same seed writes the same bytes',
      seed,
      DEFAULT_SYNTH_SEED,
    )
    .option('--json', 'print one JSON object on stdout; progress goes to stderr')
    .action(async (options: SynthOptions) => {
      const out = resolve(options.out)
      const reporter = createReporter(options.json === true)
      const controller = new AbortController()
      const onSigint = (): void => controller.abort()
      process.once('SIGINT', onSigint)
      const started = performance.now()
      try {
        const { count } = await generateSyntheticDataset(out, {
          count: options.count,
          seed: options.seed,
          signal: controller.signal,
          onProgress: (update) => reporter.progress(update),
        })
        const seconds = Math.round((performance.now() - started) / 10) / 100
        reporter.result({ out, count, seconds }, () => {
          const rate = seconds > 0 ? ` (${Math.round(count / seconds)} faces/s)` : ''
          return `wrote ${count} synthetic faces to ${out} in ${seconds} s${rate}`
        })
      } finally {
        process.removeListener('SIGINT', onSigint)
        reporter.close()
      }
    })
}
