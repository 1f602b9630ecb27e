import type { MethodName } from '../../shared/contract'
import type { morphMethods } from '../../shared/contractMorph'
import type { ApiPart, StudioContext } from './context'

type MorphMethodName = keyof typeof morphMethods & MethodName

export const MORPH_METHOD_NAMES = [
  'timelines.list',
  'timelines.get',
  'timelines.save',
  'timelines.delete',
  'morph.frame',
  'morph.estimate',
  'morph.export',
] as const satisfies readonly MorphMethodName[]

const notYet = (name: string): Promise<never> =>
  Promise.reject(new Error(`${name} is not available yet in this build`))

/** The morph-timeline part of the contract (issue 5). */
export class MorphService implements ApiPart<MorphMethodName> {
  constructor(readonly ctx: StudioContext) {}

  async ['timelines.list'](): Promise<never> {
    return notYet('timelines.list')
  }

  async ['timelines.get'](): Promise<never> {
    return notYet('timelines.get')
  }

  async ['timelines.save'](): Promise<never> {
    return notYet('timelines.save')
  }

  async ['timelines.delete'](): Promise<never> {
    return notYet('timelines.delete')
  }

  async ['morph.frame'](): Promise<never> {
    return notYet('morph.frame')
  }

  async ['morph.estimate'](): Promise<never> {
    return notYet('morph.estimate')
  }

  async ['morph.export'](): Promise<never> {
    return notYet('morph.export')
  }
}
