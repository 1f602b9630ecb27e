/**
 * A finished export as a browser download: serve mode's way to hand the person their file, since
 * the page may only name files inside the project's exports/ folder.
 */
import { createReadStream } from 'node:fs'
import { lstat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join } from 'node:path'
import { exportNameProblem } from '../../../shared/exportTarget'
import type { StudioService } from '../../studio/service'
import { responseHeaders } from './security'

const DOWNLOAD_TYPES: Record<string, string> = {
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.png': 'image/png',
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, responseHeaders('text/plain'))
  response.end('no such export')
}

/** Streams exports/NAME as an attachment; anything else (folders, links, other paths) is a 404. */
export async function sendExport(
  service: StudioService,
  name: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const type = DOWNLOAD_TYPES[extname(name).toLowerCase()]
  if (exportNameProblem(name) !== null || !type) return notFound(response)
  let file: string
  try {
    file = join(service.exportsFolder(), name)
  } catch {
    return notFound(response)
  }
  const info = await lstat(file).catch(() => null)
  if (!info?.isFile()) return notFound(response)
  response.writeHead(200, {
    ...responseHeaders(type),
    'Content-Length': String(info.size),
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    'Cache-Control': 'no-store',
  })
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => response.destroy())
  stream.pipe(response)
}
