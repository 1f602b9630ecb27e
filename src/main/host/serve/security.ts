import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const TOKEN_COOKIE = 'face_studio_token'

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

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function cookieToken(request: IncomingMessage): string | null {
  const header = request.headers.cookie
  if (!header) return null
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === TOKEN_COOKIE) return decodeURIComponent(rest.join('='))
  }
  return null
}

/** The token from the query string or, for the page's own asset requests, the session cookie. */
export function requestToken(request: IncomingMessage, url: URL): string | null {
  return url.searchParams.get('token') ?? cookieToken(request)
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
