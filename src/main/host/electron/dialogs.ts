import { join } from 'node:path'
import { app, dialog, type BrowserWindow } from 'electron'
import type { StudioOptions } from '../../studio/service'

type WindowRef = () => BrowserWindow | null

/** The native folder dialog, attached to the studio's window while it has one. */
export function folderPicker(window: WindowRef): NonNullable<StudioOptions['pickFolder']> {
  return async (title) => {
    const options: Electron.OpenDialogOptions = {
      title: title ?? 'Choose a folder',
      properties: ['openDirectory', 'createDirectory'],
    }
    const parent = window()
    const result = parent
      ? await dialog.showOpenDialog(parent, options)
      : await dialog.showOpenDialog(options)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  }
}

/**
 * The native save dialog for exports. The chosen path goes straight to the service: the page asks
 * for a dialog, never for a path.
 */
export function savePathPicker(window: WindowRef): NonNullable<StudioOptions['pickSavePath']> {
  return async (suggestedName, ending) => {
    const options: Electron.SaveDialogOptions = {
      title: 'Save export',
      defaultPath: join(app.getPath('pictures'), suggestedName),
      ...(ending === ''
        ? {}
        : { filters: [{ name: ending.slice(1).toUpperCase(), extensions: [ending.slice(1)] }] }),
    }
    const parent = window()
    const result = parent
      ? await dialog.showSaveDialog(parent, options)
      : await dialog.showSaveDialog(options)
    return result.canceled || !result.filePath ? null : result.filePath
  }
}
