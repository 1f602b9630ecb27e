import type { Command } from 'commander'
import { packageVersion } from '../../app/paths'
import { ensureRendererBuilt } from '../../host/serve/rendererBuild'
import { startServeHost, type ServeHost } from '../../host/serve/server'
import { StudioService } from '../../studio/service'
import { defaultUserDataDir } from '../../studio/userData'
import { openExistingProject } from '../../store/projectFolder'
import { intInRange } from '../options'

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the studio to a browser on 127.0.0.1, behind a random token')
    .option('--project <dir>', 'project folder to open (default: the demo project)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', intInRange(0, 65535), 5170)
    .action(async (options: { project?: string; port: number }) => {
      // Serving a folder that is not a project would create one there; say so instead.
      if (options.project !== undefined) openExistingProject(options.project).db.close()
      const rendererDir = await ensureRendererBuilt((m) => process.stderr.write(`${m}\n`))
      let host: ServeHost | null = null
      const service = new StudioService({
        host: 'serve',
        version: packageVersion(),
        userDataDir: defaultUserDataDir(),
        emit: (event, payload) => host?.broadcast(event, payload),
      })
      try {
        host = await startServeHost(() => service, { port: options.port, rendererDir })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(
            `port ${options.port} on 127.0.0.1 is in use; pass --port with another port (0 = any free)`,
            { cause: error },
          )
        }
        throw error
      }
      process.stdout.write(`VAE Face Studio is at ${host.url}\n`)
      if (!options.project) process.stderr.write('Preparing the demo project…\n')
      await service.openInitial(options.project)
      process.stderr.write('Ready.\n')
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      await service.close()
      await host.close()
    })
}
