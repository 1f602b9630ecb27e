import type {
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
  StudioClient,
} from '@shared/contract'
import { unwrap } from '@shared/envelope'
import type { WsMessage } from '@shared/transport'

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

/**
 * The contract over a WebSocket, for the studio in an ordinary browser (serve mode). The token comes
 * from the page's URL, which `face-studio serve` printed.
 */
export function createWebSocketClient(location: Location): StudioClient {
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`
  const pending = new Map<number, Pending>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let nextId = 1
  let socket: WebSocket | null = null
  let opening: Promise<WebSocket> | null = null

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket)
    if (opening) return opening
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl)
      ws.onopen = () => {
        socket = ws
        opening = null
        resolve(ws)
      }
      ws.onerror = () => {
        opening = null
        reject(new Error('cannot reach the studio server; is `face-studio serve` still running?'))
      }
      ws.onclose = () => {
        socket = null
        for (const [, p] of pending) p.reject(new Error('connection to the studio server closed'))
        pending.clear()
      }
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as WsMessage
        if (data.type === 'event') {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload)
          return
        }
        const waiting = pending.get(data.id)
        if (!waiting) return
        pending.delete(data.id)
        try {
          waiting.resolve(unwrap(data))
        } catch (error) {
          waiting.reject(error as Error)
        }
      }
    })
    return opening
  }

  return {
    async invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const ws = await connect()
      const id = nextId++
      return new Promise<MethodOutput<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        ws.send(JSON.stringify({ id, method, input }))
      })
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      void connect().catch(() => undefined)
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (payload: unknown) => void)
    },
    thumbnailUrl(imageId: number): string {
      return `/thumb/${imageId}?token=${encodeURIComponent(token)}`
    },
    downloadUrl(name: string): string {
      return `/exports/${encodeURIComponent(name)}?token=${encodeURIComponent(token)}`
    },
  }
}
