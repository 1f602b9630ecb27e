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
