import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import {
  isPublicAsset,
  originAllowed,
  requestToken,
  tokensEqual,
} from '../../src/main/host/serve/security'
import { decodePath, readStaticFile } from '../../src/main/host/serve/staticFiles'
import { imageType } from '../../src/main/host/thumbnails'

const request = (headers: Record<string, string>): IncomingMessage =>
  ({ headers }) as IncomingMessage

describe('serve security helpers', () => {
  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true)
    expect(tokensEqual('abd', 'abc')).toBe(false)
    expect(tokensEqual('ab', 'abc')).toBe(false)
    expect(tokensEqual(null, 'abc')).toBe(false)
  })

  it('reads the token from the query or the header, never from a cookie', () => {
    const url = new URL('http://127.0.0.1/x?token=q')
    expect(requestToken(request({}), url)).toBe('q')
    expect(requestToken(request({ 'x-face-studio-token': 'h' }), new URL('http://h/'))).toBe('h')
    // Cookies ignore ports: any other server on 127.0.0.1 would receive one.
    expect(
      requestToken(request({ cookie: 'a=1; face_studio_token=c' }), new URL('http://h/')),
    ).toBeNull()
  })

  it('serves the public build without the token, nothing else', () => {
    expect(isPublicAsset('/assets/index-abc.js')).toBe(true)
    expect(isPublicAsset('/')).toBe(false)
    expect(isPublicAsset('/thumb/1')).toBe(false)
    expect(isPublicAsset('/exports/a.gif')).toBe(false)
  })

  it('labels images by their bytes and decodes URL escapes without throwing', () => {
    expect(imageType(Buffer.from('\x89PNG\r\n\x1a\nxxxx', 'latin1'))).toBe('image/png')
    expect(imageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg')
    expect(decodePath('/%E0%A4%A')).toBeNull()
    expect(decodePath('/a%20b')).toBe('/a b')
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
    expect(await readStaticFile('/etc/ssl', decodePath('/%2e%2e/passwd') ?? '')).toBeNull()
  })
})
