import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BrowserWindow, app, dialog, ipcMain, protocol, session } from 'electron'
import { events as contractEvents, type EventName } from '../../../shared/contract'
import { packageVersion } from '../../app/paths'
import { StudioService } from '../../studio/service'
import { dispatch } from '../dispatch'
import { INVOKE_CHANNEL, EVENT_CHANNEL, THUMBNAIL_SCHEME } from './channels'
import { utilityInferenceLauncher, utilityProcessLauncher } from './engineLauncher'

const here = fileURLToPath(new URL('.', import.meta.url))

// Thumbnails load through our own scheme so the page never gets file:// access.
protocol.registerSchemesAsPrivileged([
  { scheme: THUMBNAIL_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])

let mainWindow: BrowserWindow | null = null

const service = new StudioService({
  host: 'electron',
  version: packageVersion(),
  userDataDir: app.getPath('userData'),
  launchEngine: utilityProcessLauncher(here),
  launchInference: utilityInferenceLauncher(here),
  emit: (event: EventName, payload) => {
    // Outgoing events are checked too: a malformed payload is a bug here, not in the page.
    contractEvents[event].parse(payload)
    mainWindow?.webContents.send(EVENT_CHANNEL, event, payload)
  },
  pickFolder: async (title) => {
    const options = {
      title: title ?? 'Choose a folder',
      properties: ['openDirectory', 'createDirectory'] as const,
    }
    const result = mainWindow
      ? await dialog.showOpenDialog(mainWindow, { ...options, properties: [...options.properties] })
      : await dialog.showOpenDialog({ ...options, properties: [...options.properties] })
    return result.canceled ? null : (result.filePaths[0] ?? null)
  },
  // The chosen path goes straight to the service: the page asks for a dialog, never for a path.
  pickSavePath: async (suggestedName, ending) => {
    const options = {
      title: 'Save export',
      defaultPath: join(app.getPath('pictures'), suggestedName),
      ...(ending === ''
        ? {}
        : { filters: [{ name: ending.slice(1).toUpperCase(), extensions: [ending.slice(1)] }] }),
    }
    const result = mainWindow
      ? await dialog.showSaveDialog(mainWindow, options)
      : await dialog.showSaveDialog(options)
    return result.canceled || !result.filePath ? null : result.filePath
  },
})

function isOwnPage(url: string): boolean {
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer && url.startsWith(devServer)) return true
  return url.startsWith('file://') && url.includes('/out/renderer/')
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1400,
    height: 900,
    backgroundColor: '#14161b',
    title: 'VAE Face Studio',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  mainWindow.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  mainWindow.webContents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault()
  })
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer) void mainWindow.loadURL(devServer)
  else void mainWindow.loadFile(join(here, '../renderer/index.html'))
  mainWindow.on('closed', () => (mainWindow = null))
}

ipcMain.handle(INVOKE_CHANNEL, async (event, method: unknown, input: unknown) => {
  if (!event.senderFrame || !isOwnPage(event.senderFrame.url)) {
    throw new Error('refused: the request did not come from the studio page')
  }
  return dispatch(service.api, method, input)
})

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  )
  protocol.handle(THUMBNAIL_SCHEME, async (request) => {
    const match = /^face-studio:\/\/thumb\/(\d+)$/.exec(request.url)
    if (!match) return new Response('not found', { status: 404 })
    try {
      const image = await service.thumbnail(Number(match[1]))
      return new Response(new Uint8Array(image), { headers: { 'Content-Type': 'image/jpeg' } })
    } catch (error) {
      return new Response(error instanceof Error ? error.message : 'not found', { status: 404 })
    }
  })
  createWindow()
  const lastProject = service.recentPaths()[0]
  try {
    await service.openInitial(lastProject)
  } catch {
    await service.openDemo()
  }
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  // Training checkpoints before the app goes: closing the window never loses more than a step.
  void service.close().finally(() => {
    if (process.platform !== 'darwin') app.quit()
  })
})
