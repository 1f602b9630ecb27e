/**
 * Property-based fuzzing of everything a request or a dataset file can feed the studio: every
 * contract method's input through the dispatcher and through serve mode's HTTP and WebSocket API,
 * raw WebSocket frames, and the attribute/partition parsers. The properties: no crash, no hang, a
 * 4xx (or a result) with a reason, and the server still serving afterwards. Fixed seed and bounded
 * runs, so CI spends about a minute here and a failure reproduces.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { ContractError, methods, type StudioApi } from '../../src/shared/contract'
import { dispatch } from '../../src/main/host/dispatch'
import { startServeHost, type ServeHost } from '../../src/main/host/serve/server'
import type { StudioService } from '../../src/main/studio/service'
import { parseAttributes } from '../../src/main/dataset/annotations/attributes'
import { parseIdentities, parsePartition } from '../../src/main/dataset/annotations/keyValue'
import { rawWebSocket, wsFrame } from '../support/rawWebSocket'
import { makeTempDir } from '../support/tempDir'

const SEED = 20_260_412
const METHOD_NAMES = Object.keys(methods) as (keyof typeof methods)[]

/** A service that answers every method after validation: what is fuzzed is the transport and the schemas. */
function stubService(): { api: StudioApi; calls: { method: string; input: unknown }[] } {
  const calls: { method: string; input: unknown }[] = []
  const api = Object.fromEntries(
    METHOD_NAMES.map((method) => [
      method,
      (input: unknown) => {
        calls.push({ method, input })
        return Promise.resolve({ ok: true })
      },
    ]),
  ) as unknown as StudioApi
  return { api, calls }
}

/** Values near the schemas: right keys with wrong, huge or hostile values, and arbitrary JSON. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '../../etc/passwd',
    '/dev/zero',
    '\u0000',
    '%E0%A4%A',
    'studio.db',
    '~/.bashrc',
    'a'.repeat(5000),
    '\ud800',
  ),
)
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e9, 1e20, -1, 0, Number.MAX_SAFE_INTEGER, 0.5),
)
const leaf = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null))
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'path',
        'name',
        'kind',
        'frames',
        'count',
        'size',
        'timeline',
        'keyframes',
        'segments',
        'latent',
        'source',
        'target',
        'save',
        'savePath',
        'runId',
        'imageId',
        'limit',
        'steps',
        '__proto__',
        'constructor',
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value

const request = fc.record({ method: fc.constantFrom(...METHOD_NAMES), input: jsonish })

describe('the dispatcher', () => {
  it('answers every method with a result or a bad-request naming the field', async () => {
    const { api, calls } = stubService()
    await fc.assert(
      fc.asyncProperty(request, async ({ method, input }) => {
        const before = calls.length
        try {
          await dispatch(api, method, input)
          // Only a validated call reaches the service.
          expect(calls.length).toBe(before + 1)
        } catch (error) {
          expect(error).toBeInstanceOf(ContractError)
          expect((error as ContractError).code).toBe('bad-request')
          expect((error as Error).message).toMatch(new RegExp(`^${method.replace('.', '\\.')}: `))
          expect(calls.length).toBe(before)
        }
      }),
      { seed: SEED, numRuns: 3000 },
    )
  }, 120_000)

  it('refuses unknown methods, whatever they are called', async () => {
    const { api } = stubService()
    await fc.assert(
      fc.asyncProperty(jsonish, async (method) => {
        if (typeof method === 'string' && Object.hasOwn(methods, method)) return
        await expect(dispatch(api, method, {})).rejects.toMatchObject({ code: 'unknown-method' })
      }),
      { seed: SEED, numRuns: 300 },
    )
  }, 120_000)
})

describe('serve mode under fuzzing', () => {
  const temp = makeTempDir('fuzz-serve-')
  let host: ServeHost
  let origin = ''

  beforeAll(async () => {
    const rendererDir = join(temp.dir, 'renderer')
    mkdirSync(rendererDir, { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>')
    const { api } = stubService()
    const service = {
      api,
      thumbnail: () => Promise.reject(new Error('no such image')),
      exportsFolder: () => join(temp.dir, 'exports'),
    } as unknown as StudioService
    host = await startServeHost(() => service, { port: 0, rendererDir })
    origin = `http://127.0.0.1:${host.port}`
  })

  afterAll(async () => {
    await host?.close()
    temp.cleanup()
  })

  async function alive(): Promise<void> {
    const response = await fetch(`${origin}/api/app.info?token=${host.token}`, {
      method: 'POST',
      body: '{}',
    })
    expect(response.status).toBe(200)
  }

  it('answers every HTTP API request with 200, 400 or 404 and a JSON reason', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, input }) => {
        const response = await fetch(`${origin}/api/${method}?token=${host.token}`, {
          method: 'POST',
          body: JSON.stringify(input),
        })
        expect([200, 400]).toContain(response.status)
        const body = (await response.json()) as { error?: string }
        if (response.status !== 200) expect(body.error).toMatch(/\S/)
      }),
      { seed: SEED, numRuns: 300 },
    )
    await alive()
  }, 120_000)

  it('answers arbitrary URLs and bodies with a 4xx, never a 500', async () => {
    const path = fc.stringMatching(/^[a-zA-Z0-9%./_~-]{0,40}$/)
    await fc.assert(
      fc.asyncProperty(path, fc.string({ maxLength: 200 }), async (tail, body) => {
        const api = await fetch(`${origin}/api/${tail}?token=${host.token}`, {
          method: 'POST',
          body,
        })
        expect(api.status).toBeLessThan(500)
        await api.arrayBuffer()
        for (const prefix of ['/', '/exports/', '/thumb/', '/assets/']) {
          const got = await fetch(`${origin}${prefix}${tail}?token=${host.token}`)
          expect(got.status, `${prefix}${tail}`).toBeLessThan(500)
          await got.arrayBuffer()
        }
      }),
      { seed: SEED, numRuns: 150 },
    )
    await alive()
  }, 120_000)

  it('answers every WebSocket request with a result, or closes only that socket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin })
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const pending = new Map<number, (ok: boolean) => void>()
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id: number; ok: boolean; error?: string }
      if (!message.ok) expect(message.error).toMatch(/\S/)
      pending.get(message.id)?.(message.ok)
    })
    let id = 0
    await fc.assert(
      fc.asyncProperty(request, async ({ method, input }) => {
        const n = ++id
        const answered = new Promise<boolean>((resolve) => pending.set(n, resolve))
        ws.send(JSON.stringify({ id: n, method, input }))
        await answered
      }),
      { seed: SEED, numRuns: 300 },
    )
    ws.close()
    await alive()
  }, 120_000)

  it('survives arbitrary raw frames', async () => {
    const frame = fc.record({
      payload: fc.uint8Array({ maxLength: 64 }),
      opcode: fc.integer({ min: 0, max: 15 }),
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
      mask: fc.boolean(),
      lie: fc.option(fc.integer({ min: 0, max: 8 << 20 }), { nil: undefined }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), async (frames) => {
        const raw = await rawWebSocket(host.port, `/ws?token=${host.token}`, origin)
        for (const f of frames) {
          raw.send(
            wsFrame(Buffer.from(f.payload), {
              opcode: f.opcode,
              fin: f.fin,
              rsv: f.rsv,
              mask: f.mask,
              ...(f.lie === undefined ? {} : { declaredLength: f.lie }),
            }),
          )
        }
        // Whatever the frames did, ending the connection must not disturb the server.
        raw.socket.destroy()
        await raw.closed
      }),
      { seed: SEED, numRuns: 150 },
    )
    await alive()
  }, 120_000)
})

describe('annotation parsers', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom('202599', '5_o_Clock_Shadow Smiling', '000001.jpg 1 -1', '000001.jpg  0', ''),
    fc
      .array(fc.constantFrom('1', '-1', '0', 'x', '', ' ', ','), { maxLength: 8 })
      .map((cells) => `000002.jpg ${cells.join(' ')}`),
  )
  const text = fc.array(line, { maxLength: 30 }).map((lines) => lines.join('\n'))
  const fileName = fc.constantFrom('list_attr_celeba.txt', 'list_attr_celeba.csv', 'x.txt')

  it('parse any text into rows and problems with line numbers, never throwing', () => {
    fc.assert(
      fc.property(text, fileName, (t, name) => {
        const table = parseAttributes(t, name)
        expect(table.values.length).toBe(table.files.length * table.names.length)
        for (const p of table.problems) expect(p.reason).toMatch(/\S/)
        for (const parse of [parsePartition, parseIdentities]) {
          const kv = parse(t, name)
          for (const p of kv.problems) expect(p.line ?? 1).toBeGreaterThan(0)
        }
      }),
      { seed: SEED, numRuns: 2000 },
    )
  }, 120_000)
})
