/**
 * Child of engine-webgpu.test.ts: trains, encodes and decodes on webgpu, then simply returns. The
 * process must end by itself although Dawn is loaded (nothing calls process.exit).
 */
import { pickBackend } from '../../src/main/engine/backend/picker'
import { syntheticShapes } from '../../src/main/engine/data/trainingData'
import { trainConfig } from '../../src/main/engine/model/config'
import { Trainer } from '../../src/main/engine/train/trainer'
import { tinyModel } from './engineModels'

const pick = await pickBackend('webgpu')
const t = Trainer.init(trainConfig(tinyModel, { batchSize: 4, seed: 3 }))
const images = syntheticShapes(4, tinyModel.size, 2)
const loss = await t.trainStepAsync(images)
const { mu } = await t.encodeAsync(images)
const faces = await t.decodeAsync(mu)
t.dispose()
process.stdout.write(
  JSON.stringify({ backend: pick.backend, loss: loss.total, faces: faces.length }) + '\n',
)
