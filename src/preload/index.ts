import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { events, type EventName } from '../shared/contract'
import type { StudioBridge } from '../shared/transport'
import { EVENT_CHANNEL, INVOKE_CHANNEL, THUMBNAIL_SCHEME } from '../main/host/electron/channels'

/**
 * Exposes the contract, and nothing else, to the sandboxed page. Calls answer the main process's
 * envelopes as they are: the page's client unwraps them, since an error thrown across contextBridge
 * would arrive without its code.
 */
const bridge: StudioBridge = {
  invoke(method, input) {
    return ipcRenderer.invoke(INVOKE_CHANNEL, method, input)
  },
  on(event, listener) {
    if (!Object.hasOwn(events, event)) throw new Error(`unknown event ${String(event)}`)
    const handler = (_e: IpcRendererEvent, name: EventName, payload: unknown): void => {
      if (name === event) listener(payload as Parameters<typeof listener>[0])
    }
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler)
  },
  thumbnailUrl(imageId) {
    return `${THUMBNAIL_SCHEME}://thumb/${Math.trunc(imageId)}`
  },
}

contextBridge.exposeInMainWorld('studio', bridge)
