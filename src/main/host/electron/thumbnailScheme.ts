import { protocol } from 'electron'
import type { StudioService } from '../../studio/service'
import { thumbnailReply } from '../thumbnails'
import { THUMBNAIL_SCHEME } from './channels'

/** Must run before the app is ready: thumbnails load through our own scheme, never file://. */
export function registerThumbnailScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: THUMBNAIL_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    },
  ])
}

const THUMBNAIL_URL = new RegExp(`^${THUMBNAIL_SCHEME}://thumb/(\\d{1,10})$`)

/** Answers `face-studio://thumb/ID` with the image's thumbnail, and anything else with 404. */
export function serveThumbnails(service: Pick<StudioService, 'thumbnail'>): void {
  protocol.handle(THUMBNAIL_SCHEME, async (request) => {
    const match = THUMBNAIL_URL.exec(request.url)
    if (!match) return new Response('not found', { status: 404 })
    const reply = await thumbnailReply(service, Number(match[1]))
    const body = typeof reply.body === 'string' ? reply.body : new Uint8Array(reply.body)
    return new Response(body, {
      status: reply.status,
      headers: { 'Content-Type': reply.type },
    })
  })
}
