/**
 * Bounds the contract and the command line share, so that both refuse the same values with the
 * same numbers in their messages. Pure: no Node, no DOM.
 */

/** Steps a run may train for in total. */
export const MAX_TRAIN_STEPS = 10_000_000
/** Epochs a run may be asked for. */
export const MAX_TRAIN_EPOCHS = 10_000
/** Seeds are 32-bit. */
export const MAX_SEED = 0xffffffff
/** Faces in one prior sample (one grid image). */
export const MAX_SAMPLE_COUNT = 256
