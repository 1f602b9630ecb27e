/** IPC channel names shared by the Electron main process and the preload. */
export const INVOKE_CHANNEL = 'studio:invoke'
export const EVENT_CHANNEL = 'studio:event'
export const THUMBNAIL_SCHEME = 'face-studio'
