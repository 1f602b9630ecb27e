/**
 * `select`, `attribute add|list|remove|label` and `export-selection`: groups of faces and the run's
 * own attributes from the command line, through the studio's service (its selection and custom
 * attribute methods; a selection file is read and written by src/main/studio/latent/selection).
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { mapMethodSchema, type MapMethod } from '../../../shared/contractLatent'
import { readSelectionFile } from '../../studio/latent/selection'
import { UsageError } from '../errors'
import { withProject, type ProjectFlags } from './latent'
import { oneOf, positiveInt } from '../options'
import { createReporter } from '../report'
import { withStudio } from '../studio'

/** `x0,y0,x1,y1` in map coordinates. */
export function boxArg(value: string): [number, number, number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()))
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v)))
    throw new InvalidArgumentError(`expected x0,y0,x1,y1 (four numbers), got "${value}"`)
  return parts as [number, number, number, number]
}

const aucText = (auc: number | null): string => (auc === null ? '–' : auc.toFixed(3))

function registerSelect(program: Command): void {
  program
    .command('select')
    .description('a selection of faces (by a box on a map, or a list of ids or files) as JSON')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--out <FILE>', 'selection file to write (sel.json)')
    .option('--map <M>', 'the map the box is on: pca, umap or tsne', oneOf(mapMethodSchema.options))
    .option('--box <x0,y0,x1,y1>', 'the box in map coordinates', boxArg)
    .option('--ids-file <FILE>', 'a text file of image ids or file names, one per line')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(
      async (
        flags: ProjectFlags & {
          out: string
          map?: MapMethod
          box?: [number, number, number, number]
          idsFile?: string
        },
      ) => {
        if ((flags.box === undefined) === (flags.idsFile === undefined))
          throw new UsageError('give exactly one of --box x0,y0,x1,y1 (with --map) or --ids-file F')
        if (flags.box && !flags.map) throw new UsageError('--box needs --map pca|umap|tsne')
        const reporter = createReporter(flags.json === true)
        try {
          await withStudio(flags.project, { create: true }, async (studio) => {
            const { file, faces } = await studio.service.selection.saveSelection(
              flags.box
                ? { kind: 'box', runId: flags.run, method: flags.map as MapMethod, box: flags.box }
                : { kind: 'ids-file', path: resolve(flags.idsFile as string) },
              resolve(flags.out),
            )
            reporter.result({ file, faces }, () => `wrote a selection of ${faces} faces to ${file}`)
          })
        } finally {
          reporter.close()
        }
      },
    )
}

function registerAttribute(program: Command): void {
  const attribute = program
    .command('attribute')
    .description("the run's own attributes, made from selections of faces")

  attribute
    .command('add')
    .description('a named attribute: the faces in --positives against the rest or --negatives')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--name <NAME>', 'its name, e.g. "my: red lipstick"')
    .requiredOption('--positives <FILE>', 'selection file of faces that have it')
    .option(
      '--negatives <FILE>',
      'selection file of faces that lack it (default: every other face)',
    )
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(
      async (flags: ProjectFlags & { name: string; positives: string; negatives?: string }) => {
        const positives = readSelectionFile(resolve(flags.positives))
        const negatives = flags.negatives ? readSelectionFile(resolve(flags.negatives)) : undefined
        await withProject(flags, async ({ studio, runId, reporter }) => {
          const made = await studio.call('attributes.custom.add', {
            runId,
            name: flags.name,
            positives,
            negatives,
          })
          reporter.result(
            {
              name: made.name,
              auc: made.auc,
              positives: made.positives,
              negatives: made.negatives,
            },
            () =>
              `run ${runId}: attribute "${made.name}" from ${made.positives} faces against ${made.negatives} (${made.versus === 'rest' ? 'the rest' : 'a selection'}), held-out AUC ${aucText(made.auc)}`,
          )
        })
      },
    )

  attribute
    .command('list')
    .description("the run's own attributes with their AUC")
    .requiredOption('--project <DIR>', 'project folder')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags) => {
      await withProject(flags, async ({ studio, runId, reporter }) => {
        const { items } = await studio.call('attributes.custom.list', { runId })
        reporter.result({ run: runId, attributes: items }, () =>
          items.length === 0
            ? `run ${runId} has no attributes of its own yet; make one with \`face-studio attribute add\``
            : items
                .map(
                  (a) =>
                    `${a.name.padEnd(24)} AUC ${aucText(a.auc)}  +${a.positives} / −${a.negatives}`,
                )
                .join('\n'),
        )
      })
    })

  attribute
    .command('remove')
    .description("removes one of the run's own attributes")
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--name <NAME>', 'its name')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & { name: string }) => {
      await withProject(flags, async ({ studio, runId, reporter }) => {
        const { removed } = await studio.call('attributes.custom.remove', {
          runId,
          name: flags.name,
        })
        reporter.result({ run: runId, removed }, () => `removed "${removed}" from run ${runId}`)
      })
    })

  attribute
    .command('label')
    .description('ticks one face as having (1) or lacking (-1) an attribute, or forgets it (0)')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--name <NAME>', 'its name')
    .requiredOption('--id <ID>', 'the image id', positiveInt)
    .requiredOption('--label <L>', '1, -1 or 0', oneOf(['1', '-1', '0']))
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & { name: string; id: number; label: string }) => {
      await withProject(flags, async ({ studio, runId, reporter }) => {
        const made = await studio.call('attributes.custom.label', {
          runId,
          name: flags.name,
          imageId: flags.id,
          label: Number(flags.label) as 1 | -1 | 0,
        })
        reporter.result(
          made,
          () => `"${made.name}": +${made.positives} / −${made.negatives}, AUC ${aucText(made.auc)}`,
        )
      })
    })
}

function registerExportSelection(program: Command): void {
  program
    .command('export-selection')
    .description(
      'a selection as a folder of the original images (copied), a CSV (.csv) or a contact sheet (.png)',
    )
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--selection <FILE>', 'selection file (from `face-studio select`)')
    .requiredOption('--to <TARGET>', 'a new folder, a .csv file or a .png file')
    .option(
      '--run <R>',
      'run whose maps give the CSV coordinates (default: the newest)',
      positiveInt,
    )
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & { selection: string; to: string }) => {
      const ids = readSelectionFile(resolve(flags.selection))
      const reporter = createReporter(flags.json === true)
      try {
        await withStudio(flags.project, { create: true }, async (studio) => {
          const out = await studio.call('selection.export', {
            runId: flags.run,
            imageIds: ids,
            to: resolve(flags.to),
          })
          reporter.result(out, () => `wrote ${out.faces} faces as a ${out.kind} to ${out.path}`)
        })
      } finally {
        reporter.close()
      }
    })
}

export function registerSelection(program: Command): void {
  registerSelect(program)
  registerAttribute(program)
  registerExportSelection(program)
}
