/**
 * How the contract travels: serve's WebSocket frames and the bridge the Electron preload exposes.
 * Both carry the one reply envelope; the page's client unwraps it. Pure: no Node, no DOM.
 */
import { z } from 'zod'
import type { EventName, EventPayload, MethodName } from './contract'
import type { Envelope } from './envelope'

export const wsRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  input: z.unknown(),
})
export type WsRequest = z.infer<typeof wsRequestSchema>
export type WsMessage =
  | ({ type: 'result'; id: number } & Envelope)
  | { type: 'event'; event: EventName; payload: unknown }

/**
 * What the preload puts on `window.studio`. Calls answer envelopes rather than throwing, since
 * contextBridge would keep only an error's message; the page's client turns them into values or
 * ContractErrors exactly as it does serve's.
 */
export interface StudioBridge {
  invoke(method: MethodName, input: unknown): Promise<Envelope>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  thumbnailUrl(imageId: number): string
}
