import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { EventName } from '../../src/shared/contract'
import { startServeHost, type ServeHost } from '../../src/main/host/serve/server'
import { StudioService } from '../../src/main/studio/service'

export interface InProcessServe {
  host: ServeHost
  service: StudioService
  origin: string
  events: { event: EventName; payload: unknown }[]
  /** A contract method over HTTP: the status and the JSON body. */
  post(method: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }>
  /** A contract method over a fresh WebSocket, as the page calls it. */
  wsCall(method: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: string }>
  stop(): Promise<void>
}

/**
 * The serve host and a real StudioService in this process (no page build: a stand-in index.html),
 * so a test sees an unhandled error as the crash it would be.
 */
export async function startInProcessServe(
  dir: string,
  projectDir?: string,
): Promise<InProcessServe> {
  const rendererDir = join(dir, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><div id="app"></div>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  const events: InProcessServe['events'] = []
  let host: ServeHost | null = null
  const service = new StudioService({
    host: 'serve',
    version: 'test',
    userDataDir: join(dir, 'home'),
    emit: (event, payload) => {
      events.push({ event, payload })
      host?.broadcast(event, payload)
    },
  })
  if (projectDir) await service.openInitial(projectDir)
  host = await startServeHost(() => service, { port: 0, rendererDir })
  const running = host
  const origin = `http://127.0.0.1:${running.port}`
  return {
    host: running,
    service,
    origin,
    events,
    async post(method, input) {
      const response = await fetch(`${origin}/api/${method}?token=${running.token}`, {
        method: 'POST',
        body: JSON.stringify(input),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    },
    wsCall(method, input) {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${running.port}/ws?token=${running.token}`, {
          origin,
        })
        ws.once('error', reject)
        ws.once('open', () => ws.send(JSON.stringify({ id: 1, method, input })))
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; ok: boolean }
          if (message.type !== 'result') return
          ws.close()
          resolve(message as { ok: boolean; value?: unknown; error?: string })
        })
      })
    },
    async stop() {
      await service.close()
      await running.close()
    },
  }
}
