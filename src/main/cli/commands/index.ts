import type { Command } from 'commander'
import { registerIngest } from './ingest'
import { registerInference } from './inference'
import { registerLatent } from './latent'
import { registerMorph } from './morph'
import { registerSelection } from './selection'
import { registerServe } from './serve'
import { registerSynth } from './synth'
import { registerTrain } from './train'

/** Every command registers itself here; each lives in its own module. */
export function registerCommands(program: Command): void {
  registerIngest(program)
  registerInference(program)
  registerLatent(program)
  registerMorph(program)
  registerSelection(program)
  registerServe(program)
  registerSynth(program)
  registerTrain(program)
}
