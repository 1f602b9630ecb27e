import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
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
  const floats = (buf.length - dataStart) / 4
  const aligned = new Float32Array(floats)
  new Uint8Array(aligned.buffer).set(buf.subarray(dataStart))
  const read = (blobs: CheckpointBlob[]) =>
    new Map(
      blobs.map((b) => {
        const size = b.shape.reduce((x, y) => x * y, 1)
        if (b.offset + size > floats) {
          throw new Error(`${file}: checkpoint is truncated (blob ${b.name}); it cannot be resumed`)
        }
        return [b.name, aligned.slice(b.offset, b.offset + size)]
      }),
    )
  return {
    header,
    params: read(header.params),
    adamM: read(header.adamM),
    adamV: read(header.adamV),
  }
}
