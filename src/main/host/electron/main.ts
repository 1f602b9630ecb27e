import { fileURLToPath } from 'node:url'
import { BrowserWindow, app, session } from 'electron'
import { packageVersion } from '../../app/paths'
import { StudioService } from '../../studio/service'
import { folderPicker, savePathPicker } from './dialogs'
import { utilityInferenceLauncher, utilityProcessLauncher } from './engineLauncher'
import { forwardEvents, handleInvokes } from './ipc'
import { registerThumbnailScheme, serveThumbnails } from './thumbnailScheme'
import { openStudioWindow } from './window'

const here = fileURLToPath(new URL('.', import.meta.url))

registerThumbnailScheme()

let mainWindow: BrowserWindow | null = null
const currentWindow = (): BrowserWindow | null => mainWindow

const service = new StudioService({
  host: 'electron',
  version: packageVersion(),
  userDataDir: app.getPath('userData'),
  launchEngine: utilityProcessLauncher(here),
  launchInference: utilityInferenceLauncher(here),
  emit: forwardEvents(currentWindow),
  pickFolder: folderPicker(currentWindow),
  pickSavePath: savePathPicker(currentWindow),
})

handleInvokes(service.api)

function createWindow(): void {
  const window = openStudioWindow(here)
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null
  })
  mainWindow = window
}

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  )
  serveThumbnails(service)
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
