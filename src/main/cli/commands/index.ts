import type { Command } from 'commander'
import { registerServe } from './serve'

/** Every command registers itself here; each lives in its own module. */
export function registerCommands(program: Command): void {
  registerServe(program)
}
