import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName } from '../../../shared/contract'
import type { Envelope, ErrorCode } from '../../../shared/envelope'
import { MAX_REQUEST_BYTES, MAX_WS_MESSAGE_BYTES } from '../../../shared/limits'
import { wsRequestSchema, type WsMessage } from '../../../shared/transport'
import type { StudioService } from '../../studio/service'
import { dispatchEnvelope } from '../dispatch'
import { thumbnailReply } from '../thumbnails'
import { sendExport } from './downloads'
import {
  isPublicAsset,
  responseHeaders,
  originAllowed,
  requestToken,
  tokensEqual,
} from './security'
import { decodePath, readStaticFile } from './staticFiles'

const MAX_BODY_BYTES = MAX_REQUEST_BYTES

/** The HTTP status that goes with a failed call's code (the body is the envelope either way). */
const HTTP_STATUS: Record<ErrorCode, number> = {
  'bad-request': 400,
  'unknown-method': 404,
  refused: 403,
  failed: 500,
}

export interface ServeHostOptions {
  port: number
  rendererDir: string
  token?: string
}

export interface ServeHost {
  url: string
  port: number
  token: string
  broadcast(event: EventName, payload: unknown): void
  close(): Promise<void>
}

/**
 * serve mode: the studio's page, its contract over WebSocket (and plain HTTP POST for scripts), and
 * thumbnails, on 127.0.0.1 only, behind a random token.
 */
export async function startServeHost(
  service: () => StudioService,
  options: ServeHostOptions,
): Promise<ServeHost> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const sockets = new Set<WebSocket>()
  let port = options.port

  const server = createServer((request, response) => {
    void handleHttp(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain', String(error))
      else response.destroy()
    })
  })
  // A broken connection or a malformed request ends that connection, never the process.
  server.on('error', () => undefined)
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES })
  wss.on('error', () => undefined)

  function parseUrl(request: IncomingMessage): URL | null {
    try {
      return new URL(request.url ?? '/', 'http://127.0.0.1')
    } catch {
      return null
    }
  }

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    request.on('error', () => undefined)
    response.on('error', () => undefined)
    const url = parseUrl(request)
    if (!url) return send(response, 400, 'text/plain', 'malformed URL')
    if (!originAllowed(request, port)) return send(response, 403, 'text/plain', 'forbidden origin')
    const path = decodePath(url.pathname)
    if (path === null) return send(response, 400, 'text/plain', 'malformed URL escape')
    const isGet = request.method === 'GET' || request.method === 'HEAD'
    if (isGet && isPublicAsset(url.pathname)) return sendStatic(response, path)
    const given = requestToken(request, url)
    if (!tokensEqual(given, token)) {
      return send(
        response,
        401,
        'text/plain',
        'missing or wrong token: open the URL face-studio serve printed',
      )
    }
    if (request.method === 'POST' && url.pathname.startsWith('/api/')) {
      return handleApi(request, response, url.pathname.slice('/api/'.length))
    }
    if (!isGet) return send(response, 405, 'text/plain', 'method not allowed')
    const thumb = /^\/thumb\/(\d{1,10})$/.exec(url.pathname)
    if (thumb) {
      const reply = await thumbnailReply(service(), Number(thumb[1]))
      if (reply.status === 200) response.setHeader('Cache-Control', 'private, max-age=60')
      return send(response, reply.status, reply.type, reply.body)
    }
    if (path.startsWith('/exports/')) {
      return sendExport(service(), path.slice('/exports/'.length), request, response)
    }
    return sendStatic(response, path)
  }

  async function sendStatic(response: ServerResponse, path: string): Promise<void> {
    const file = await readStaticFile(options.rendererDir, path)
    if (!file) return send(response, 404, 'text/plain', 'not found')
    return send(response, 200, file.type, file.body)
  }

  async function handleApi(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
  ): Promise<void> {
    let body: unknown
    try {
      const text = await readBody(request)
      body = text.length === 0 ? {} : JSON.parse(text)
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'bad request body'
      return sendJson(response, 400, { ok: false, error: reason, code: 'bad-request' })
    }
    const reply = await dispatchEnvelope(service().api, method, body)
    return sendJson(response, reply.ok ? 200 : HTTP_STATUS[reply.code], reply)
  }

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = parseUrl(request)
    if (
      !url ||
      url.pathname !== '/ws' ||
      !originAllowed(request, port) ||
      !tokensEqual(requestToken(request, url), token)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      // ws reports a bad frame (invalid UTF-8, over maxPayload, reserved bits, unmasked…) as an
      // 'error' and closes the socket itself; unhandled, that error would end the process.
      ws.on('error', () => ws.terminate())
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          closeSoon(ws, 1003, 'text frames of JSON only')
          return
        }
        void handleMessage(ws, String(data))
      })
    })
  })

  async function handleMessage(ws: WebSocket, text: string): Promise<void> {
    let request
    try {
      request = wsRequestSchema.parse(JSON.parse(text))
    } catch {
      closeSoon(ws, 1007, 'malformed request')
      return
    }
    const reply: WsMessage = {
      type: 'result',
      id: request.id,
      ...(await dispatchEnvelope(service().api, request.method, request.input)),
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const message: WsMessage = { type: 'event', event, payload }
      const text = JSON.stringify(message)
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text)
    },
    async close() {
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Closes with a reason, and drops a client that never answers the close (it holds a socket). */
function closeSoon(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason)
  setTimeout(() => ws.terminate(), 2000).unref()
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, responseHeaders(type))
  response.end(body)
}

function sendJson(response: ServerResponse, status: number, value: Envelope): void {
  send(response, status, 'application/json', JSON.stringify(value))
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
