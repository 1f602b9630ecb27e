import { Command, CommanderError } from 'commander'
import { registerCommands } from './commands'
import { UsageError } from './errors'

const program = new Command()
program
  .name('face-studio')
  .description(
    'VAE Face Studio: train a variational autoencoder on faces and explore what it learned',
  )
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) })

registerCommands(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with code 0; anything else commander rejects is a usage error.
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else if (error instanceof UsageError) {
    process.stderr.write(`face-studio: ${error.message}\n`)
    process.exitCode = 2
  } else {
    process.stderr.write(`face-studio: ${oneLine(error)}\n`)
    process.exitCode = 1
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0] ?? 'failed'
}
