import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { rawWebSocket, wsFrame } from '../support/rawWebSocket'
import { startServe, type RunningServe } from '../support/serveHarness'
import { makeTempDir } from '../support/tempDir'

describe('serve mode security', () => {
  let serve: RunningServe
  const temp = makeTempDir()

  beforeAll(async () => {
    serve = await startServe({ projectDir: `${temp.dir}/project`, home: `${temp.dir}/home` })
  })

  afterAll(async () => {
    await serve?.stop()
    temp.cleanup()
  })

  it('listens on 127.0.0.1 only', () => {
    expect(new URL(serve.url).hostname).toBe('127.0.0.1')
  })

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await fetch(`${serve.origin}/`)).status).toBe(401)
    expect((await fetch(`${serve.origin}/?token=wrong`)).status).toBe(401)
    const api = await fetch(`${serve.origin}/api/app.info`, { method: 'POST', body: '{}' })
    expect(api.status).toBe(401)
  })

  it('serves the page with the token, under a strict CSP', async () => {
    const response = await fetch(serve.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await response.text()).toContain('<div id="app">')
  })

  it('refuses a request from another origin even with the token', async () => {
    const response = await fetch(`${serve.origin}/api/app.info?token=${serve.token}`, {
      method: 'POST',
      body: '{}',
      headers: { Origin: 'http://evil.example' },
    })
    expect(response.status).toBe(403)
  })

  it('validates API payloads against the contract', async () => {
    const bad = await fetch(`${serve.origin}/api/dataset.query?token=${serve.token}`, {
      method: 'POST',
      body: JSON.stringify({ limit: -5 }),
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/limit/)
    const unknown = await fetch(`${serve.origin}/api/fs.readFile?token=${serve.token}`, {
      method: 'POST',
      body: '{}',
    })
    expect(unknown.status).toBe(404)
    const ok = await fetch(`${serve.origin}/api/app.info?token=${serve.token}`, {
      method: 'POST',
      body: '{}',
    })
    expect(((await ok.json()) as { value: { host: string } }).value.host).toBe('serve')
  })

  it('refuses a WebSocket without the token or from another origin', async () => {
    const attempt = (url: string, origin?: string): Promise<string> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {})
        ws.on('open', () => {
          ws.close()
          resolve('open')
        })
        ws.on('error', () => resolve('refused'))
      })
    const wsBase = serve.origin.replace('http', 'ws')
    expect(await attempt(`${wsBase}/ws`)).toBe('refused')
    expect(await attempt(`${wsBase}/ws?token=${serve.token}`, 'http://evil.example')).toBe(
      'refused',
    )
    expect(await attempt(`${wsBase}/ws?token=${serve.token}`, serve.origin)).toBe('open')
  })

  it('survives bad WebSocket frames: the serve process keeps running and serving', async () => {
    for (const frame of [
      wsFrame(Buffer.from([0xff, 0xfe])),
      wsFrame(Buffer.alloc(8), { declaredLength: 2 << 20 }),
    ]) {
      const raw = await rawWebSocket(serve.port, `/ws?token=${serve.token}`, serve.origin)
      raw.send(frame)
      await raw.closed
    }
    const info = await serve.call<{ host: string }>('app.info', {})
    expect(info.host).toBe('serve')
    expect(serve.child.exitCode).toBeNull()
  })

  it('sets no cookie: cookies would reach every other server on 127.0.0.1', async () => {
    const response = await fetch(serve.url)
    expect(response.headers.get('set-cookie')).toBeNull()
  })
})
