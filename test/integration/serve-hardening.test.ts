import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { JobFinished } from '../../src/shared/contract'
import { MAX_WS_MESSAGE_BYTES } from '../../src/shared/limits'
import { readLatentMatrix } from '../../src/main/store/latents'
import { openDatabase } from '../../src/main/store/database'
import { startInProcessServe, type InProcessServe } from '../support/inProcessServe'
import { rawWebSocket, wsFrame } from '../support/rawWebSocket'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('serve-hardening-')
const project = join(temp.dir, 'project')
let serve: InProcessServe
let dim = 0

function timeline(frames: number, latentDim = dim): unknown {
  return {
    keyframes: [
      { latent: Array.from({ length: latentDim }, (_, i) => Math.sin(i + 1)) },
      { latent: Array.from({ length: latentDim }, (_, i) => Math.cos(3 * i)) },
    ],
    segments: [{ frames }],
  }
}

async function stillServes(): Promise<void> {
  const http = await serve.post('app.info', {})
  expect(http.status).toBe(200)
  const ws = await serve.wsCall('app.info', {})
  expect(ws.ok).toBe(true)
}

function finishedJob(jobId: string): Promise<JobFinished> {
  return new Promise((resolve) => {
    const poll = (): void => {
      const hit = serve.events.find(
        (e) => e.event === 'job.finished' && (e.payload as JobFinished).jobId === jobId,
      )
      if (hit) resolve(hit.payload as JobFinished)
      else setTimeout(poll, 50)
    }
    poll()
  })
}

beforeAll(async () => {
  cpSync(inject('trainedProject'), project, { recursive: true })
  const db = openDatabase(join(project, 'studio.db'))
  dim = readLatentMatrix(db, 1).dim
  db.close()
  serve = await startInProcessServe(temp.dir, project)
})

afterAll(async () => {
  await serve?.stop()
  temp.cleanup()
})

describe('one WebSocket frame never kills the server', () => {
  const cases: [string, Buffer][] = [
    ['a text frame with invalid UTF-8', wsFrame(Buffer.from([0xff, 0xfe]))],
    [
      'a message over the size limit',
      wsFrame(Buffer.alloc(16), { declaredLength: 2 * MAX_WS_MESSAGE_BYTES }),
    ],
    ['reserved bits set', wsFrame(Buffer.from('{}'), { rsv: 7 })],
    ['an unknown opcode', wsFrame(Buffer.from('x'), { opcode: 3 })],
    ['an unmasked client frame', wsFrame(Buffer.from('{}'), { mask: false })],
    ['a binary frame', wsFrame(Buffer.from([1, 2, 3]), { opcode: 2 })],
    ['a fragmented control frame', wsFrame(Buffer.from(''), { opcode: 9, fin: false })],
  ]
  for (const [name, frame] of cases) {
    it(`closes the socket on ${name} and keeps serving`, async () => {
      const raw = await rawWebSocket(serve.host.port, `/ws?token=${serve.host.token}`, serve.origin)
      raw.send(frame)
      await raw.closed
      await stillServes()
    })
  }

  it('keeps a training run going through bad frames', async () => {
    const started = await serve.post('training.start', { steps: 100_000, batchSize: 8, seed: 3 })
    expect(started.status).toBe(200)
    const runId = (started.body.value as { runId: number }).runId
    const steps = (): number =>
      serve.events.filter(
        (e) => e.event === 'training.step' && (e.payload as { runId: number }).runId === runId,
      ).length
    const waitForStep = async (after: number): Promise<void> => {
      while (steps() <= after) await new Promise((r) => setTimeout(r, 50))
    }
    await waitForStep(0)
    for (const frame of [
      wsFrame(Buffer.from([0xff, 0xfe])),
      wsFrame(Buffer.alloc(8), { declaredLength: 4 << 20 }),
    ]) {
      const raw = await rawWebSocket(serve.host.port, `/ws?token=${serve.host.token}`, serve.origin)
      raw.send(frame)
      await raw.closed
    }
    const seen = steps()
    await waitForStep(seen)
    const active = await serve.post('training.active', {})
    expect((active.body.value as { status: string }).status).toBe('running')
    await serve.post('training.stop', { runId })
  })
})

describe('the API writes only into the project exports folder', () => {
  it('refuses an explicit path and leaves the file alone', async () => {
    const victim = join(temp.dir, 'victim.txt')
    writeFileSync(victim, 'keep me')
    const morph = await serve.post('morph.export', {
      timeline: timeline(4),
      format: 'gif',
      size: 32,
      path: victim,
    })
    expect(morph.status).toBe(400)
    const strip = await serve.post('latent.strip', {
      source: { kind: 'sample', seed: 1 },
      attribute: 'Smiling',
      savePath: victim,
    })
    expect(strip.status).toBe(400)
    expect(readFileSync(victim, 'utf8')).toBe('keep me')
  })

  it('refuses names that leave the folder, have the wrong ending or name the database', async () => {
    for (const name of ['../evil.gif', 'a/b.gif', 'x.txt', 'studio.db', '.hidden.gif', '..']) {
      const out = await serve.post('morph.export', {
        timeline: timeline(4),
        format: 'gif',
        size: 32,
        target: { kind: 'exports', name },
      })
      expect(out.status, name).toBe(400)
      expect(out.body.error).toMatch(/target\.name/)
    }
  })

  it('exports into exports/ and serves it as a download with the token only', async () => {
    const out = await serve.post('morph.export', {
      timeline: timeline(4),
      format: 'gif',
      size: 32,
      target: { kind: 'exports', name: 'safe.gif' },
    })
    expect(out.status).toBe(200)
    const value = out.body.value as { jobId: string; file: string; download: string }
    expect(value.file).toBe(join(project, 'exports', 'safe.gif'))
    expect((await finishedJob(value.jobId)).status).toBe('done')
    const url = `${serve.origin}/exports/${encodeURIComponent(value.download)}`
    expect((await fetch(url)).status).toBe(401)
    const got = await fetch(`${url}?token=${serve.host.token}`)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/gif')
    expect(got.headers.get('content-disposition')).toMatch(/attachment/)
    expect(
      Buffer.from(await got.arrayBuffer())
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a')
    const escape = await fetch(`${serve.origin}/exports/..%2Fstudio.db?token=${serve.host.token}`)
    expect(escape.status).toBe(404)
  })

  it('saves a strip into exports/ by name', async () => {
    const out = await serve.post('latent.strip', {
      source: { kind: 'sample', seed: 1 },
      attribute: 'Smiling',
      steps: 3,
      save: { kind: 'exports', name: 'smile.png' },
    })
    expect(out.status).toBe(200)
    expect((out.body.value as { file: string }).file).toBe(join(project, 'exports', 'smile.png'))
    expect(
      readFileSync(join(project, 'exports', 'smile.png'))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG')
  })

  it('has no save dialog in serve mode and says so', async () => {
    const out = await serve.post('morph.export', {
      timeline: timeline(4),
      format: 'gif',
      target: { kind: 'dialog' },
    })
    expect(out.status).toBe(400)
    expect(out.body.error).toMatch(/save dialog/)
  })
})

describe('reading your own photo', () => {
  const resolve = (path: string): Promise<{ status: number; body: Record<string, unknown> }> =>
    serve.post('latent.resolve', { source: { kind: 'file', path } })

  it('refuses devices, FIFOs and oversize files without reading them', async () => {
    const fifo = join(temp.dir, 'photo.fifo')
    execFileSync('mkfifo', [fifo])
    const huge = join(temp.dir, 'huge.jpg')
    writeFileSync(huge, '')
    truncateSync(huge, 4 << 30)
    for (const path of ['/dev/zero', fifo, huge]) {
      const out = await resolve(path)
      expect(out.status, path).toBeGreaterThanOrEqual(400)
      expect(out.body.error, path).toMatch(/not an image you can open/)
    }
    await stillServes()
  })

  it('does not say whether a path exists', async () => {
    const text = join(temp.dir, 'notes.txt')
    writeFileSync(text, 'hello')
    const missing = await resolve(join(temp.dir, 'nothing-here.jpg'))
    const present = await resolve(text)
    const secret = await resolve('/root/.ssh/id_rsa')
    const strip = (body: Record<string, unknown>, path: string): string =>
      String(body.error).replace(path, 'PATH')
    expect(strip(missing.body, join(temp.dir, 'nothing-here.jpg'))).toBe(strip(present.body, text))
    expect(strip(secret.body, '/root/.ssh/id_rsa')).toBe(strip(present.body, text))
  })
})

describe('morph limits', () => {
  it('refuses a billion frames at once, naming the limit', async () => {
    for (const method of ['morph.estimate', 'morph.export']) {
      const out = await serve.post(method, {
        timeline: timeline(1e9),
        format: 'gif',
        target: { kind: 'exports', name: 'big.gif' },
      })
      expect(out.status, method).toBe(400)
      expect(out.body.error).toMatch(/frames.*(at most|limit)/)
    }
    await stillServes()
  })

  it('refuses too many pixels in total, naming the limit', async () => {
    const out = await serve.post('morph.estimate', {
      timeline: { ...(timeline(900) as object), loop: 'ping-pong' },
      format: 'png-sequence',
      size: 512,
    })
    expect(out.status).toBe(400)
    expect(out.body.error).toMatch(/pixel/)
  })
})

describe('serve HTTP details', () => {
  it('answers a malformed URL escape with 400', async () => {
    const out = await fetch(`${serve.origin}/%E0%A4%A?token=${serve.host.token}`)
    expect(out.status).toBe(400)
    const asset = await fetch(`${serve.origin}/assets/%E0%A4%A.js`)
    expect(asset.status).toBe(400)
  })

  it('labels thumbnails by their bytes', async () => {
    const out = await fetch(`${serve.origin}/thumb/1?token=${serve.host.token}`)
    expect(out.status).toBe(200)
    const bytes = Buffer.from(await out.arrayBuffer())
    const png = bytes.subarray(1, 4).toString() === 'PNG'
    expect(out.headers.get('content-type')).toBe(png ? 'image/png' : 'image/jpeg')
  })

  it('sets no token cookie, and serves the page only with the token', async () => {
    const page = await fetch(`${serve.origin}/?token=${serve.host.token}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('set-cookie')).toBeNull()
    expect((await fetch(`${serve.origin}/`)).status).toBe(401)
    expect(
      (
        await fetch(`${serve.origin}/`, {
          headers: { cookie: `face_studio_token=${serve.host.token}` },
        })
      ).status,
    ).toBe(401)
    // The page's own scripts are the public build; they carry no data and need no token.
    expect((await fetch(`${serve.origin}/assets/app.js`)).status).toBe(200)
  })

  it('bounds latent.sample', async () => {
    const out = await serve.post('latent.sample', { count: 100_000_000 })
    expect(out.status).toBe(400)
    expect(out.body.error).toMatch(/count/)
  })
})

it('leaves no stray file behind', () => {
  expect(existsSync(join(temp.dir, 'evil.gif'))).toBe(false)
})
