import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { originAllowed, requestToken, tokensEqual } from '../../src/main/host/serve/security'
import { readStaticFile } from '../../src/main/host/serve/staticFiles'

const request = (headers: Record<string, string>): IncomingMessage =>
  ({ headers }) as IncomingMessage

describe('serve security helpers', () => {
  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true)
    expect(tokensEqual('abd', 'abc')).toBe(false)
    expect(tokensEqual('ab', 'abc')).toBe(false)
    expect(tokensEqual(null, 'abc')).toBe(false)
  })

  it('reads the token from the query or the cookie', () => {
    const url = new URL('http://127.0.0.1/x?token=q')
    expect(requestToken(request({}), url)).toBe('q')
    expect(
      requestToken(request({ cookie: 'a=1; face_studio_token=c' }), new URL('http://h/')),
    ).toBe('c')
  })

  it('allows only our loopback host and origin', () => {
    expect(originAllowed(request({ host: '127.0.0.1:5170' }), 5170)).toBe(true)
    expect(originAllowed(request({ host: 'evil.example:5170' }), 5170)).toBe(false)
    expect(
      originAllowed(request({ host: '127.0.0.1:5170', origin: 'http://127.0.0.1:5170' }), 5170),
    ).toBe(true)
    expect(
      originAllowed(request({ host: '127.0.0.1:5170', origin: 'http://evil.example' }), 5170),
    ).toBe(false)
  })

  it('never serves files outside the renderer folder', async () => {
    expect(await readStaticFile('/etc/ssl', '/../passwd')).toBeNull()
    expect(await readStaticFile('/etc/ssl', '/%2e%2e/passwd')).toBeNull()
  })
})
