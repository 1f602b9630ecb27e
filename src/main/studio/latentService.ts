import type { MethodName } from '../../shared/contract'
import type { latentMethods } from '../../shared/contractLatent'
import type { ApiPart, StudioContext } from './context'

type LatentMethodName = keyof typeof latentMethods & MethodName

export const LATENT_METHOD_NAMES = [
  'latent.encode',
  'latent.sample',
  'latent.resolve',
  'latent.decode',
  'latent.edit',
  'latent.vectors',
  'latent.strip',
  'latent.statistics',
  'latent.map',
  'latent.mapResult',
  'latent.neighbours',
] as const satisfies readonly LatentMethodName[]

const notYet = (name: string): Promise<never> =>
  Promise.reject(new Error(`${name} is not available yet in this build`))

/** The latent-space part of the contract (issue 4). */
export class LatentService implements ApiPart<LatentMethodName> {
  constructor(readonly ctx: StudioContext) {}

  async ['latent.encode'](): Promise<never> {
    return notYet('latent.encode')
  }

  async ['latent.sample'](): Promise<never> {
    return notYet('latent.sample')
  }

  async ['latent.resolve'](): Promise<never> {
    return notYet('latent.resolve')
  }

  async ['latent.decode'](): Promise<never> {
    return notYet('latent.decode')
  }

  async ['latent.edit'](): Promise<never> {
    return notYet('latent.edit')
  }

  async ['latent.vectors'](): Promise<never> {
    return notYet('latent.vectors')
  }

  async ['latent.strip'](): Promise<never> {
    return notYet('latent.strip')
  }

  async ['latent.statistics'](): Promise<never> {
    return notYet('latent.statistics')
  }

  async ['latent.map'](): Promise<never> {
    return notYet('latent.map')
  }

  async ['latent.mapResult'](): Promise<never> {
    return notYet('latent.mapResult')
  }

  async ['latent.neighbours'](): Promise<never> {
    return notYet('latent.neighbours')
  }
}
