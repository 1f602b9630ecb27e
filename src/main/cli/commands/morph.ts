/** `morph`: a morph between faces as an animated GIF or WebP, a PNG sequence or a contact strip. */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { EasingName } from '../../../shared/latent'
import { MAX_HOLD_FRAMES, MAX_SEGMENT_FRAMES } from '../../../shared/limits'
import { formatForPath } from '../../studio/morph/outputTarget'
import { SourceSyntaxError } from '../../studio/morph/sourceArgs'
import { UsageError } from '../errors'
import { finiteNumber, intInRange, nonNegativeInt, oneOf, positiveInt } from '../options'
import { createReporter } from '../report'
import { withStudio } from '../studio'

const EASE = { linear: 'linear', in: 'ease-in', out: 'ease-out', 'in-out': 'ease-in-out' } as const

interface MorphFlags {
  project: string
  from: string
  to: string
  via?: string
  frames: number
  slerp?: boolean
  ease: keyof typeof EASE
  hold: number
  pingpong?: boolean
  loop?: boolean
  plays: number
  fps: number
  size: number
  sharpen?: boolean
  run?: number
  out: string
  force?: boolean
  json?: boolean
}

function checkFlags(flags: MorphFlags): void {
  if (!(flags.fps > 0 && flags.fps <= 50)) throw new UsageError('--fps must be in (0, 50]')
  if (flags.size < 32 || flags.size > 512) throw new UsageError('--size must be 32…512 pixels')
  if (flags.frames > MAX_SEGMENT_FRAMES) {
    throw new UsageError(
      `--frames ${flags.frames}: at most ${MAX_SEGMENT_FRAMES} frames per segment`,
    )
  }
  if (flags.hold > MAX_HOLD_FRAMES) {
    throw new UsageError(`--hold ${flags.hold}: at most ${MAX_HOLD_FRAMES} frames`)
  }
  if (flags.pingpong && flags.loop) throw new UsageError('--pingpong and --loop exclude each other')
}

export function registerMorph(program: Command): void {
  program
    .command('morph')
    .description(
      'morph between faces: animated GIF/WebP, PNG sequence (folder) or contact strip (.png)',
    )
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption(
      '--from <FACE>',
      'first face: dataset file name (000010.jpg), image path or sample:SEED',
    )
    .requiredOption('--to <FACE>', 'last face (same forms as --from)')
    .option('--via <FACES>', 'comma-separated faces in between')
    .option('--frames <N>', 'frames per segment', positiveInt, 24)
    .option('--slerp', 'spherical interpolation (default: linear)')
    .option(
      '--ease <CURVE>',
      'easing: linear, in, out, in-out',
      oneOf(Object.keys(EASE) as (keyof typeof EASE)[]),
      'linear',
    )
    .option('--hold <FRAMES>', 'extra frames each keyframe is held for', nonNegativeInt, 0)
    .option('--pingpong', 'play forwards, then back')
    .option('--loop', 'add a segment from the last face back to the first')
    // GIF and WebP store the loop count in 16 bits.
    .option('--plays <N>', 'times the animation plays (0 = forever)', intInRange(0, 65535), 0)
    .option('--fps <FPS>', 'frames per second (at most 50)', finiteNumber, 12)
    .option('--size <PX>', 'output width in pixels (32…512)', positiveInt, 256)
    .option('--sharpen', 'light sharpening after upscaling')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .requiredOption('--out <PATH>', '.gif, .webp, .png (contact strip) or a folder (PNG sequence)')
    .option(
      '--force',
      'replace an existing file that is not an export of the same kind (never a database)',
    )
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: MorphFlags) => {
      const started = performance.now()
      const format = formatForPath(flags.out)
      if (!format) {
        throw new UsageError(
          `--out ${flags.out}: use .gif, .webp, .png (contact strip) or a folder`,
        )
      }
      checkFlags(flags)
      const args = [flags.from, ...(flags.via ?? '').split(','), flags.to]
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
      const reporter = createReporter(flags.json === true)
      const controller = new AbortController()
      const onSignal = (): void => controller.abort()
      process.once('SIGINT', onSignal)
      try {
        await withStudio(flags.project, {}, async (studio) => {
          const sources = args.map((arg) => {
            try {
              return studio.service.morph.sourceOf(arg)
            } catch (error) {
              if (error instanceof SourceSyntaxError) throw new UsageError(error.message)
              throw error
            }
          })
          await studio.announceModel(reporter, flags.run)
          const result = await studio.service.morph.exportToPath(
            {
              runId: flags.run,
              sources,
              timeline: {
                frames: flags.frames,
                interpolation: flags.slerp ? 'slerp' : 'lerp',
                easing: EASE[flags.ease] as EasingName,
                hold: flags.hold,
                loop: flags.pingpong ? 'ping-pong' : flags.loop ? 'loop' : 'once',
                fps: flags.fps,
              },
              format,
              path: resolve(flags.out),
              force: flags.force === true,
              size: flags.size,
              sharpen: flags.sharpen === true,
              loop: flags.plays,
            },
            { signal: controller.signal, onProgress: (update) => reporter.progress(update) },
          )
          const seconds = Number(((performance.now() - started) / 1000).toFixed(3))
          reporter.result(
            { file: result.path, frames: result.frames, bytes: result.bytes, seconds },
            () =>
              `wrote ${result.frames} frames (${result.bytes.toLocaleString('en')} bytes) to ${result.path} in ${seconds} s`,
          )
        })
      } finally {
        process.off('SIGINT', onSignal)
        reporter.close()
      }
    })
}
