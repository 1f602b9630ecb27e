/**
 * The one reply envelope of every transport (Electron IPC, serve's WebSocket and HTTP): a call answers
 * its value or the error's message and code, never a thrown error. Electron's ipcMain.handle turns a
 * throw into "Error invoking remote method…" and contextBridge copies only an Error's message, so the
 * code survives a process boundary only as data. Pure: no Node, no DOM.
 */
import { z } from 'zod'

export const ERROR_CODES = ['bad-request', 'unknown-method', 'refused', 'failed'] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** An error a client can act on by its code: a bad payload, an unknown method, a refused sender. */
export class ContractError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
  ) {
    super(message)
    this.name = 'ContractError'
  }
}

export type Envelope<T = unknown> =
  { ok: true; value: T } | { ok: false; error: string; code: ErrorCode }

export const envelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string(), code: z.enum(ERROR_CODES) }),
])

/** The envelope of a failed call: a ContractError keeps its code, anything else is 'failed'. */
export function failure(error: unknown): Envelope<never> {
  return {
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    code: error instanceof ContractError ? error.code : 'failed',
  }
}

/** A call's promise as its envelope: resolves either way. */
export async function settle<T>(call: () => Promise<T>): Promise<Envelope<T>> {
  try {
    return { ok: true, value: await call() }
  } catch (error) {
    return failure(error)
  }
}

/**
 * The client's side: the value, or a ContractError with the host's message and code. Every client
 * unwraps this way, so the page sees the same error whichever host serves it.
 */
export function unwrap(reply: unknown): unknown {
  const parsed = envelopeSchema.safeParse(reply)
  if (!parsed.success) {
    throw new ContractError('the studio host answered something that is not a reply', 'failed')
  }
  if (parsed.data.ok) return parsed.data.value
  throw new ContractError(parsed.data.error, parsed.data.code)
}
