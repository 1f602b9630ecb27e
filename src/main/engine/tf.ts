/**
 * The one tfjs entry for the engine. tfjs-core's Node bundle registers no gradient functions; the
 * tfjs-layers bundle registers all of them into the shared global registry, so it is imported here
 * for that side effect (the engine builds its model from plain ops, not layers).
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'

export { tf }
