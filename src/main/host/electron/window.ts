import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import { isOwnPage } from './pages'

/**
 * The studio's window: a sandboxed, context-isolated page with the preload's bridge as its only way
 * out; it opens no other windows and navigates nowhere but its own page.
 */
export function openStudioWindow(mainBundleDir: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    backgroundColor: '#14161b',
    title: 'VAE Face Studio',
    webPreferences: {
      preload: join(mainBundleDir, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault()
  })
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer) void window.loadURL(devServer)
  else void window.loadFile(join(mainBundleDir, '../renderer/index.html'))
  return window
}
