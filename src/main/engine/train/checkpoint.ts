import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs'
import type { TrainConfig } from '../model/config'

/**
 * One checkpoint = one file: magic, header length, JSON header, then float32 blobs. A single file
 * makes the temp-file-and-rename write atomic: a reader sees the old checkpoint or the new one.
 */

const MAGIC = 'VAECKPT1'

export interface CheckpointBlob {
  name: string
  shape: number[]
  /** Offset in floats from the start of the data section. */
  offset: number
}

export interface CheckpointHeader {
  format: 1
  config: TrainConfig
  step: number
  rng: { seed: number; step: number }
  adamIteration: number
  params: CheckpointBlob[]
  adamM: CheckpointBlob[]
  adamV: CheckpointBlob[]
  savedAt: string
}

export interface CheckpointData {
  header: CheckpointHeader
  params: Map<string, Float32Array>
  adamM: Map<string, Float32Array>
  adamV: Map<string, Float32Array>
}

type Blobs = Map<string, { shape: number[]; values: Float32Array }>

export function writeCheckpointFile(
  file: string,
  meta: Omit<CheckpointHeader, 'format' | 'params' | 'adamM' | 'adamV' | 'savedAt'>,
  params: Blobs,
  adamM: Blobs,
  adamV: Blobs,
): void {
  let offset = 0
  const chunks: Float32Array[] = []
  const describe = (blobs: Blobs): CheckpointBlob[] =>
    [...blobs].map(([name, { shape, values }]) => {
      const d = { name, shape, offset }
      offset += values.length
      chunks.push(values)
      return d
    })
  const header: CheckpointHeader = {
    format: 1,
    ...meta,
    params: describe(params),
    adamM: describe(adamM),
    adamV: describe(adamV),
    savedAt: new Date().toISOString(),
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  // Pad the header so the float section starts 4-byte aligned.
  const headerLen = Math.ceil(json.length / 4) * 4
  const prefix = Buffer.alloc(8 + 4 + headerLen, 0x20)
  prefix.write(MAGIC, 0, 'ascii')
  prefix.writeUInt32LE(headerLen, 8)
  json.copy(prefix, 12)
  const tmp = `${file}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, prefix)
    for (const c of chunks) writeSync(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}

/** The header of a checkpoint held in memory, and where its float section starts. */
export function checkpointHeader(
  buf: Buffer,
  file: string,
): { header: CheckpointHeader; dataStart: number } {
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) {
    throw new Error(
      `${file}: not a face-studio checkpoint (bad magic); pick a .ckpt from a run folder`,
    )
  }
  const headerLen = buf.readUInt32LE(8)
  let header: CheckpointHeader
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLen)) as CheckpointHeader
  } catch (e) {
    throw new Error(`${file}: checkpoint header is not valid JSON (${(e as Error).message})`, {
      cause: e,
    })
  }
  if (header.format !== 1)
    throw new Error(`${file}: unsupported checkpoint format ${header.format}`)
  return { header, dataStart: 12 + headerLen }
}

export function readCheckpointFile(file: string): CheckpointData {
  const buf = readFileSync(file)
  const { header, dataStart } = checkpointHeader(buf, file)
  const read = blobReader(file, buf.subarray(dataStart))
  return {
    header,
    params: read(header.params),
    adamM: read(header.adamM),
    adamV: read(header.adamV),
  }
}

/** A checkpoint's header and its model's parameters: what inference needs. */
export interface CheckpointWeights {
  header: CheckpointHeader
  params: Map<string, Float32Array>
}

/**
 * Only the parameters of a checkpoint (written first, before Adam's moments): the optimiser's state,
 * twice the size of the weights, is neither read nor allocated.
 */
export function readCheckpointWeights(file: string): CheckpointWeights {
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    const prefix = Buffer.alloc(12)
    readSync(fd, prefix, 0, 12, 0)
    const headerLen = prefix.toString('ascii', 0, 8) === MAGIC ? prefix.readUInt32LE(8) : 0
    // A header longer than the file fails as invalid JSON below, without a huge allocation.
    const head = Buffer.alloc(Math.min(12 + headerLen, size))
    readSync(fd, head, 0, head.length, 0)
    const { header, dataStart } = checkpointHeader(head, file)
    const floats = header.params.reduce((end, b) => Math.max(end, b.offset + blobSize(b)), 0)
    const data = Buffer.alloc(floats * 4)
    const got = readSync(fd, data, 0, data.length, dataStart)
    return { header, params: blobReader(file, data.subarray(0, got))(header.params) }
  } finally {
    closeSync(fd)
  }
}

function blobSize(blob: CheckpointBlob): number {
  return blob.shape.reduce((x, y) => x * y, 1)
}

/** Copies blobs out of a checkpoint's float section into arrays of their own. */
function blobReader(
  file: string,
  data: Buffer,
): (blobs: CheckpointBlob[]) => Map<string, Float32Array> {
  const floats = Math.floor(data.length / 4)
  const aligned = new Float32Array(floats)
  new Uint8Array(aligned.buffer).set(data.subarray(0, floats * 4))
  return (blobs) =>
    new Map(
      blobs.map((b) => {
        const size = blobSize(b)
        if (b.offset + size > floats) {
          throw new Error(`${file}: checkpoint is truncated (blob ${b.name}); it cannot be resumed`)
        }
        return [b.name, aligned.slice(b.offset, b.offset + size)]
      }),
    )
}
