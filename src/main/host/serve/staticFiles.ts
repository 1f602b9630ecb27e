import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
}

/** A URL path segment decoded, or null when its escapes are malformed (the caller answers 400). */
export function decodePath(urlPath: string): string | null {
  try {
    return decodeURIComponent(urlPath)
  } catch {
    return null
  }
}

/** Resolves a decoded URL path inside the renderer's build folder, refusing anything that escapes it. */
export async function readStaticFile(
  rootDir: string,
  path: string,
): Promise<{ body: Buffer; type: string } | null> {
  const relative = path === '/' ? '/index.html' : path
  const file = normalize(join(rootDir, relative))
  if (!file.startsWith(rootDir + sep)) return null
  try {
    const body = await readFile(file)
    return { body, type: MIME[extname(file)] ?? 'application/octet-stream' }
  } catch {
    return null
  }
}

/** The media type of image bytes by their signature, so a header never contradicts the body. */
export function imageType(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 12))
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png'
  }
  if (head[0] === 0xff && head[1] === 0xd8) return 'image/jpeg'
  if (
    head.subarray(0, 4).toString('latin1') === 'RIFF' &&
    head.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp'
  }
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif'
  return 'application/octet-stream'
}
