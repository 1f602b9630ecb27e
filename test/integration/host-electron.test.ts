/**
 * The Electron host as the app runs it (src/main/host/electron/main.ts and the preload), against a
 * small fake of the `electron` module: the page's calls through the preload's bridge and the page's
 * own client to the service and back, the sender-frame check, the reply envelope (the same error
 * message and code as serve mode), events forwarded to the window, the face-studio:// thumbnail
 * route, navigation refusal, the native dialogs and the engine's utility processes. It does not
 * replace running the real window; it keeps the adapter honest where the binary cannot be fetched.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { EventName, EventPayload, MethodName, StudioClient } from '../../src/shared/contract'
import { ContractError } from '../../src/shared/envelope'
import type { StudioBridge } from '../../src/shared/transport'
import { createBridgeClient } from '../../src/renderer/src/lib/client/bridgeClient'
import { createWebSocketClient } from '../../src/renderer/src/lib/client/websocketClient'
import { savePathPicker } from '../../src/main/host/electron/dialogs'
import {
  utilityInferenceLauncher,
  utilityProcessLauncher,
} from '../../src/main/host/electron/engineLauncher'
import { fake, type FakeBrowserWindow } from '../support/fakeElectron'
import { startInProcessServe, type InProcessServe } from '../support/inProcessServe'
import { makeTempDir } from '../support/tempDir'

vi.mock('electron', async () => (await import('../support/fakeElectron')).electronModule)

const OWN_PAGE = 'file:///opt/face-studio/out/renderer/index.html'
const temp = makeTempDir('electron-host-')
const projectDir = join(temp.dir, 'project')
const facesDir = join(temp.dir, 'faces')
let bridge: StudioBridge
let client: StudioClient
let window: FakeBrowserWindow

/** The next event of that name the page receives that satisfies `test`. */
function nextEvent<E extends EventName>(
  event: E,
  test: (payload: EventPayload<E>) => boolean,
): Promise<EventPayload<E>> {
  return new Promise((resolve) => {
    const off = client.on(event, (payload) => {
      if (!test(payload)) return
      off()
      resolve(payload)
    })
  })
}

/** What a call's failure looks like to the page. */
async function failureOf(call: Promise<unknown>): Promise<{ message: string; code: string }> {
  const error: unknown = await call.then(
    () => new Error('the call succeeded'),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(ContractError)
  return { message: (error as ContractError).message, code: (error as ContractError).code }
}

beforeAll(async () => {
  mkdirSync(facesDir, { recursive: true })
  for (const [i, red] of [40, 140, 240].entries()) {
    await sharp({
      create: { width: 80, height: 96, channels: 3, background: { r: red, g: 90, b: 60 } },
    })
      .png()
      .toFile(join(facesDir, `face-${i}.png`))
  }
  const home = join(temp.dir, 'home')
  mkdirSync(home, { recursive: true })
  // The app reopens the last project on start; a project here spares the test the demo's faces.
  writeFileSync(
    join(home, 'recent-projects.json'),
    JSON.stringify([{ path: projectDir, name: 'project', openedAt: new Date().toISOString() }]),
  )
  fake.paths = { userData: home, pictures: join(temp.dir, 'pictures') }
  await import('../../src/main/host/electron/main')
  await import('../../src/preload/index')
  bridge = fake.exposed.get('studio') as StudioBridge
  client = createBridgeClient(bridge)
  const opened = nextEvent('project.changed', (project) => project?.path === projectDir)
  fake.ready.resolve()
  await opened
  window = fake.windows[0] as FakeBrowserWindow
})

afterAll(() => {
  temp.cleanup()
})

describe('the Electron window', () => {
  it('is sandboxed and context-isolated, with the preload as its only bridge', () => {
    expect(fake.windows).toHaveLength(1)
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    })
    const prefs = window.options.webPreferences as { preload: string }
    expect(prefs.preload).toMatch(/preload[/\\]index\.cjs$/)
    expect(window.loaded?.file).toMatch(/renderer[/\\]index\.html$/)
    expect([...fake.exposed.keys()]).toEqual(['studio'])
  })

  it('refuses navigation away from the studio page, new windows and permission requests', () => {
    const navigate = (url: string): boolean => {
      let prevented = false
      window.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url)
      return prevented
    }
    expect(navigate('https://example.com/')).toBe(true)
    expect(navigate('file:///etc/passwd')).toBe(true)
    expect(navigate(OWN_PAGE)).toBe(false)
    expect(window.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({
      action: 'deny',
    })
    const granted: boolean[] = []
    fake.permissionHandler?.(window.webContents, 'media', (answer) => granted.push(answer))
    expect(granted).toEqual([false])
  })
})

describe('calls from the page', () => {
  it('reach the service through the bridge and come back as values', async () => {
    expect(await client.invoke('app.info', {})).toMatchObject({
      host: 'electron',
      canPickFolders: true,
      canSaveAs: true,
    })
    expect(await client.invoke('projects.current', {})).toMatchObject({
      path: projectDir,
      images: 0,
    })
  })

  it('come back as envelopes, not as thrown IPC errors', async () => {
    const reply = await bridge.invoke('latent.sample', { count: 100_000_000 })
    expect(reply).toMatchObject({ ok: false, code: 'bad-request' })
    expect(await bridge.invoke('projects.current', {})).toMatchObject({ ok: true })
  })

  it('fail with the same message and code as through serve mode', async () => {
    const notAFolder = join(temp.dir, 'not-a-folder.txt')
    writeFileSync(notAFolder, 'text')
    let serve: InProcessServe | undefined
    try {
      serve = await startInProcessServe(join(temp.dir, 'serve'))
      const page: Location = {
        protocol: 'http:',
        host: `127.0.0.1:${serve.host.port}`,
        search: `?token=${serve.host.token}`,
      } as Location
      const serveClient = createWebSocketClient(page)
      const calls: [MethodName, unknown, string][] = [
        ['latent.sample', { count: 100_000_000 }, 'bad-request'],
        ['no.such.method' as MethodName, {}, 'unknown-method'],
        ['projects.open', { path: notAFolder }, 'failed'],
      ]
      for (const [method, input, code] of calls) {
        const electron = await failureOf(client.invoke(method, input as never))
        const browser = await failureOf(serveClient.invoke(method, input as never))
        expect(electron.code, method).toBe(code)
        expect(electron, method).toEqual(browser)
        expect(electron.message, method).not.toMatch(/invoking remote method/)
      }
    } finally {
      await serve?.stop()
    }
  })

  it('are refused, without reaching the service, from any frame but the studio page', async () => {
    const elsewhere = join(temp.dir, 'made-by-another-page')
    try {
      for (const url of ['https://example.com/', 'file:///tmp/page.html', null]) {
        fake.senderUrl = url
        const refused = await failureOf(client.invoke('projects.create', { path: elsewhere }))
        expect(refused.code).toBe('refused')
        expect(refused.message).toMatch(/not come from the studio page/)
      }
    } finally {
      fake.senderUrl = OWN_PAGE
    }
    expect(existsSync(elsewhere)).toBe(false)
    expect(await client.invoke('projects.current', {})).toMatchObject({ path: projectDir })
  })
})

describe('events and thumbnails', () => {
  it('forwards the service events to the page while a dataset is ingested', async () => {
    const updated = nextEvent('project.changed', (project) => project?.images === 3)
    const { jobId } = await client.invoke('dataset.ingest', { datasetDir: facesDir, size: 64 })
    const finished = await nextEvent('job.finished', (job) => job.jobId === jobId)
    expect(finished).toMatchObject({ kind: 'ingest', status: 'done' })
    expect((await updated)?.path).toBe(projectDir)
  })

  it('serves face-studio://thumb/ID from the cache and answers anything else with 404', async () => {
    const handler = fake.protocolHandlers.get('face-studio')
    if (!handler) throw new Error('no face-studio:// handler was registered')
    expect(fake.privilegedSchemes.map((s) => s.scheme)).toContain('face-studio')
    const page = await client.invoke('dataset.query', {})
    expect(page.total).toBe(3)
    for (const image of page.items) {
      const response = await handler(new Request(client.thumbnailUrl(image.id)))
      expect(response.status).toBe(200)
      expect(response.headers.get('Content-Type')).toBe('image/png')
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64])
    }
    const missing = await handler(new Request(client.thumbnailUrl(999_999)))
    expect(missing.status).toBe(404)
    expect(await missing.text()).toMatch(/image 999999/)
    const elsewhere = await handler(new Request('face-studio://exports/studio.db'))
    expect(elsewhere.status).toBe(404)
  })
})

describe('native dialogs', () => {
  it('pick a folder in the window, and a cancelled dialog picks nothing', async () => {
    fake.dialogAnswers.push({ canceled: false, filePaths: ['/home/artist/faces'] })
    expect(await client.invoke('dialog.pickFolder', { title: 'Your faces' })).toEqual({
      path: '/home/artist/faces',
    })
    const [parent, options] = fake.dialogCalls.at(-1)?.args ?? []
    expect(parent).toBe(window)
    expect(options).toMatchObject({
      title: 'Your faces',
      properties: expect.arrayContaining(['openDirectory']),
    })
    fake.dialogAnswers.push({ canceled: true, filePaths: [] })
    expect(await client.invoke('dialog.pickFolder', {})).toEqual({ path: null })
  })

  it('save exports in Pictures by default, filtered by the format', async () => {
    const pick = savePathPicker(() => null)
    fake.dialogAnswers.push({ canceled: false, filePath: '/home/artist/morph.gif' })
    expect(await pick('morph.gif', '.gif')).toBe('/home/artist/morph.gif')
    expect(fake.dialogCalls.at(-1)?.args).toEqual([
      {
        title: 'Save export',
        defaultPath: join(temp.dir, 'pictures', 'morph.gif'),
        filters: [{ name: 'GIF', extensions: ['gif'] }],
      },
    ])
    fake.dialogAnswers.push({ canceled: true })
    expect(await pick('frames', '')).toBeNull()
  })
})

describe('the engine in utility processes', () => {
  it('forks the training worker beside the bundle and relays its messages and exit', async () => {
    const engine = utilityProcessLauncher('/app/out/main')()
    const child = fake.forks.at(-1)
    expect(child?.modulePath).toBe(join('/app/out/main', 'trainWorker.js'))
    const received: unknown[] = []
    engine.onMessage((message) => received.push(message))
    engine.send({ type: 'stop' } as never)
    child?.emit('message', { type: 'stopped' })
    expect(child?.posted).toEqual([{ type: 'stop' }])
    expect(received).toEqual([{ type: 'stopped' }])
    child?.emit('exit', 3)
    expect(await engine.exited).toBe(3)
    engine.kill()
    expect(child?.killed).toBe(true)
  })

  it('forks the inference worker the same way', () => {
    const inference = utilityInferenceLauncher('/app/out/main')()
    const child = fake.forks.at(-1)
    expect(child?.modulePath).toBe(join('/app/out/main', 'inferenceWorker.js'))
    const replies: unknown[] = []
    const exits: (number | null)[] = []
    inference.onReply((reply) => replies.push(reply))
    inference.onExit((code) => exits.push(code))
    inference.send({ id: 1 } as never)
    child?.emit('message', { id: 1, ok: true })
    child?.emit('exit', 0)
    expect([child?.posted, replies, exits]).toEqual([[{ id: 1 }], [{ id: 1, ok: true }], [0]])
  })
})

describe('closing the last window', () => {
  it('closes the service, then quits', async () => {
    fake.app.emit('window-all-closed')
    await fake.quit.promise
    await expect(client.invoke('projects.current', {})).resolves.toBeNull()
  })
})
