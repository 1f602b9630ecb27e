import type { StudioClient } from '@shared/contract'
import type { StudioBridge } from '@shared/transport'
import { createBridgeClient } from './bridgeClient'
import { createWebSocketClient } from './websocketClient'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in an ordinary browser. */
    studio?: StudioBridge
  }
}

/** The contract, whichever host serves the page: the preload's bridge in Electron, else WebSocket. */
export function createClient(): StudioClient {
  return window.studio ? createBridgeClient(window.studio) : createWebSocketClient(window.location)
}
