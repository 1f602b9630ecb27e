import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './sharedData'

export interface RunningServe {
  url: string
  origin: string
  token: string
  port: number
  child: ChildProcess
  /** A contract method through the serve host's HTTP API, as a second client would call it. */
  call<T>(method: string, input: unknown): Promise<T>
  stop(): Promise<void>
}

/**
 * Starts `face-studio serve` as a user would, in its own process, and resolves once it has printed
 * its URL and said it is ready.
 */
export async function startServe(options: {
  projectDir?: string
  home: string
}): Promise<RunningServe> {
  const args = [join(repoRoot, 'bin', 'face-studio.js'), 'serve', '--port', '0']
  if (options.projectDir) args.push('--project', options.projectDir)
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, FACE_STUDIO_HOME: options.home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not get ready:\n${stdout}\n${stderr}`)),
      240_000,
    )
    let found: string | null = null
    const check = (): void => {
      found ??= /is at (http:\/\/\S+)/.exec(stdout)?.[1] ?? null
      if (found && stderr.includes('Ready.')) {
        clearTimeout(timer)
        resolve(found)
      }
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      check()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      check()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}:\n${stdout}\n${stderr}`))
    })
  })
  const parsed = new URL(url)
  const token = parsed.searchParams.get('token') ?? ''
  return {
    url,
    origin: parsed.origin,
    token,
    port: Number(parsed.port),
    child,
    async call<T>(method: string, input: unknown): Promise<T> {
      const response = await fetch(`${parsed.origin}/api/${method}?token=${token}`, {
        method: 'POST',
        body: JSON.stringify(input),
      })
      const body = (await response.json()) as { value?: T; error?: string }
      if (!response.ok) throw new Error(`${method}: ${response.status} ${body.error ?? ''}`)
      return body.value as T
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      await exited
    },
  }
}
