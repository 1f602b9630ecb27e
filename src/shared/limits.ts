/**
 * The studio's limits on untrusted requests, in one place so the page, the hosts and the README agree.
 * Each bounds memory or time that a single small request could otherwise ask for.
 */

/** Frames from one keyframe to the next. */
export const MAX_SEGMENT_FRAMES = 1000
/** Extra frames a keyframe may be held for. */
export const MAX_HOLD_FRAMES = 1000
/** Keyframes in one timeline. */
export const MAX_KEYFRAMES = 64
/** Frames in one exported morph (files, for a PNG sequence). */
export const MAX_MORPH_FRAMES = 2000
/** Frames × width × height of one exported morph: about 300 MB of RGB at the limit. */
export const MAX_MORPH_PIXELS = 100_000_000
/** A photo read as a face source ("your own photo"). */
export const MAX_PHOTO_BYTES = 64 * 1024 * 1024
/** Faces one `sample` draws. */
export const MAX_SAMPLE_COUNT = 256
/** One HTTP request body to serve mode. */
export const MAX_REQUEST_BYTES = 1 << 20
/** One WebSocket message to serve mode: a selection of the whole map (200k image ids) must fit. */
export const MAX_WS_MESSAGE_BYTES = 16 << 20

/** Steps a run may train for in total. */
export const MAX_TRAIN_STEPS = 10_000_000
/** Epochs a run may be asked for. */
export const MAX_TRAIN_EPOCHS = 10_000
/** Seeds are 32-bit. */
export const MAX_SEED = 0xffffffff
