import { ipcMain, type BrowserWindow } from 'electron'
import type { StudioApi } from '../../../shared/contract'
import type { Envelope } from '../../../shared/envelope'
import type { EventSink } from '../../studio/context'
import { dispatchEnvelope } from '../dispatch'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels'
import { isOwnPage } from './pages'

const REFUSED: Envelope = {
  ok: false,
  error: 'refused: the request did not come from the studio page',
  code: 'refused',
}

/**
 * Answers the page's contract calls with envelopes (a throw from ipcMain.handle would reach the page
 * as "Error invoking remote method…", its code lost); only the studio's own page may call.
 */
export function handleInvokes(api: StudioApi): void {
  ipcMain.handle(INVOKE_CHANNEL, (event, method: unknown, input: unknown) => {
    if (!event.senderFrame || !isOwnPage(event.senderFrame.url)) return REFUSED
    return dispatchEnvelope(api, method, input)
  })
}

/** The service's events, already checked against the contract, to the studio's window. */
export function forwardEvents(window: () => BrowserWindow | null): EventSink {
  return (event, payload) => window()?.webContents.send(EVENT_CHANNEL, event, payload)
}
