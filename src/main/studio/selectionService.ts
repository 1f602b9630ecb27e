import type { MethodName } from '../../shared/contract'
import type { MapMethod } from '../../shared/contractLatent'
import type { selectionMethods } from '../../shared/contractSelection'
import { writeFileAtomic } from '../export/atomic'
import type { ApiPart, In, Out, StudioContext } from './context'
import { resolveRun } from '../store/runs'
import {
  addCustomAttribute,
  customAttributeLabels,
  labelCustomFace,
  listCustomAttributes,
  removeCustomAttribute,
} from './latent/customAttributes'
import { exportSelection } from './latent/exportSelection'
import {
  findFaces,
  meanLatent,
  readIdsFile,
  selectByBox,
  selectionFile,
  selectionMakeup,
} from './latent/selection'

type SelectionMethodName = keyof typeof selectionMethods & MethodName

export const SELECTION_METHOD_NAMES = [
  'selection.find',
  'selection.makeup',
  'selection.meanLatent',
  'selection.export',
  'attributes.custom.add',
  'attributes.custom.list',
  'attributes.custom.remove',
  'attributes.custom.label',
  'attributes.custom.faces',
] as const satisfies readonly SelectionMethodName[]

/** Groups of faces and the run's own attributes made from them (src/main/studio/latent). */
export class SelectionService implements ApiPart<SelectionMethodName> {
  constructor(readonly ctx: StudioContext) {}

  private runId(runId?: number): number {
    const { db, paths } = this.ctx.requireProject()
    return resolveRun(db, paths, runId).id
  }

  async ['selection.find'](input: In<'selection.find'>): Out<'selection.find'> {
    const { db } = this.ctx.requireProject()
    return { items: findFaces(db, input.query, input.limit) }
  }

  async ['selection.makeup'](input: In<'selection.makeup'>): Out<'selection.makeup'> {
    const { db } = this.ctx.requireProject()
    return selectionMakeup(db, input.imageIds)
  }

  async ['selection.meanLatent'](input: In<'selection.meanLatent'>): Out<'selection.meanLatent'> {
    const { db, paths } = this.ctx.requireProject()
    const runId = this.runId(input.runId)
    return { runId, ...meanLatent(db, paths.root, runId, input.imageIds) }
  }

  async ['selection.export'](input: In<'selection.export'>): Out<'selection.export'> {
    const { db, paths } = this.ctx.requireProject()
    let runId: number | null = null
    try {
      runId = this.runId(input.runId)
    } catch (error) {
      // Without a trained run the export still has files and attributes, only no map coordinates.
      if (input.runId !== undefined) throw error
    }
    return exportSelection(db, paths, runId, input.imageIds, input.to)
  }

  async ['attributes.custom.add'](
    input: In<'attributes.custom.add'>,
  ): Out<'attributes.custom.add'> {
    const { db, paths } = this.ctx.requireProject()
    return addCustomAttribute(db, paths.root, this.runId(input.runId), input)
  }

  async ['attributes.custom.list'](
    input: In<'attributes.custom.list'>,
  ): Out<'attributes.custom.list'> {
    const { db } = this.ctx.requireProject()
    const runId = this.runId(input.runId)
    return { runId, items: listCustomAttributes(db, runId) }
  }

  async ['attributes.custom.remove'](
    input: In<'attributes.custom.remove'>,
  ): Out<'attributes.custom.remove'> {
    const { db } = this.ctx.requireProject()
    return removeCustomAttribute(db, this.runId(input.runId), input.name)
  }

  async ['attributes.custom.label'](
    input: In<'attributes.custom.label'>,
  ): Out<'attributes.custom.label'> {
    const { db, paths } = this.ctx.requireProject()
    const runId = this.runId(input.runId)
    return labelCustomFace(db, paths.root, runId, input.name, input.imageId, input.label)
  }

  async ['attributes.custom.faces'](
    input: In<'attributes.custom.faces'>,
  ): Out<'attributes.custom.faces'> {
    const { db } = this.ctx.requireProject()
    return customAttributeLabels(db, this.runId(input.runId), input.name)
  }

  /**
   * A selection written to a selection file (the command line's `select`): the points of a cached
   * map inside a box, or the faces a text file names by id or file name, one a line.
   */
  async saveSelection(
    from:
      | { kind: 'box'; runId?: number; method: MapMethod; box: [number, number, number, number] }
      | { kind: 'ids-file'; path: string },
    file: string,
  ): Promise<{ file: string; faces: number }> {
    const { db, paths } = this.ctx.requireProject()
    let ids: number[]
    let source: string
    if (from.kind === 'box') {
      const runId = this.runId(from.runId)
      ids = selectByBox(db, paths.root, runId, from.method, from.box)
      source = `run ${runId} ${from.method} box ${from.box.join(',')}`
    } else {
      ids = readIdsFile(db, paths.root, from.path)
      source = `ids file ${from.path}`
    }
    const body = selectionFile(db, ids, source)
    await writeFileAtomic(file, Buffer.from(`${JSON.stringify(body, null, 1)}\n`, 'utf8'))
    return { file, faces: ids.length }
  }
}
