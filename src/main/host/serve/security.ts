import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The same policy as the page's meta tag, sent as a header too so no response goes out without it. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers every response carries, whatever its body. */
export function responseHeaders(type: string): Record<string, string> {
  return {
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}

/** A script may send the token as this header instead of in the query string. */
export const TOKEN_HEADER = 'x-face-studio-token'

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The token from the query string or the token header. There is deliberately no cookie: cookies
 * ignore ports, so any other server on 127.0.0.1 the browser visits would receive it. The page keeps
 * the token from its own URL (its origin, port included, is what scopes it) and adds it to the
 * WebSocket, thumbnail and download URLs itself; the page's scripts and styles are the public build
 * and are served without it (see isPublicAsset).
 */
export function requestToken(request: IncomingMessage, url: URL): string | null {
  const header = request.headers[TOKEN_HEADER]
  return url.searchParams.get('token') ?? (typeof header === 'string' ? header : null)
}

/**
 * Files of the page's build other than the page itself: code and styles that hold no data and come
 * with the package anyway, so the browser may load them without the token.
 */
export function isPublicAsset(pathname: string): boolean {
  return pathname.startsWith('/assets/')
}

/**
 * Only pages served by this server may talk to it: a request that carries an Origin must come from
 * it, and the Host must be the loopback address we listen on (DNS-rebinding defence).
 */
export function originAllowed(request: IncomingMessage, port: number): boolean {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  if (!allowedHosts.has(request.headers.host ?? '')) return false
  const origin = request.headers.origin
  if (origin === undefined) return true
  return [...allowedHosts].some((host) => origin === `http://${host}`)
}
