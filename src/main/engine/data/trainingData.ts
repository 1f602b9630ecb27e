import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { Rng } from '../model/rng'

/**
 * How the engine reads images: by split and index, as packed uint8 NHWC RGB. The dataset room (or a
 * test) provides the implementation; the engine never sees where the pixels came from.
 */
export type DataSplit = 'train' | 'validation' | 'test'

export interface TrainingData {
  /** Square side of every image, in pixels. */
  readonly size: number
  count(split: DataSplit): number
  /** N·size·size·3 bytes, NHWC, in the order of `indices` (positions within the split). */
  readBatch(split: DataSplit, indices: number[]): Promise<Uint8Array>
}

function checkIndex(split: DataSplit, i: number, count: number, where: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new Error(`${where}: index ${i} is outside the ${split} split (0..${count - 1})`)
  }
}

/** Images held in memory, one packed array per split. */
export class InMemoryData implements TrainingData {
  constructor(
    readonly size: number,
    private readonly splits: Record<DataSplit, Uint8Array>,
  ) {}

  private get bytesPerImage(): number {
    return this.size * this.size * 3
  }

  count(split: DataSplit): number {
    return this.splits[split].length / this.bytesPerImage
  }

  async readBatch(split: DataSplit, indices: number[]): Promise<Uint8Array> {
    const b = this.bytesPerImage
    const src = this.splits[split]
    const out = new Uint8Array(indices.length * b)
    indices.forEach((i, k) => {
      checkIndex(split, i, this.count(split), 'in-memory data')
      out.set(src.subarray(i * b, (i + 1) * b), k * b)
    })
    return out
  }
}

/**
 * The dataset room's cache: one file of fixed-size slots, slot i at offset i·size·size·3, and a list
 * of slots per split. Reads with positional reads, so batches can come from anywhere in the file.
 */
export class PackedFileData implements TrainingData {
  private fd: number | null

  constructor(
    readonly file: string,
    readonly size: number,
    private readonly slots: Record<DataSplit, number[]>,
  ) {
    this.fd = openSync(file, 'r')
    const slotCount = Math.floor(fstatSync(this.fd).size / (size * size * 3))
    for (const split of ['train', 'validation', 'test'] as const) {
      const bad = slots[split].find((s) => !Number.isInteger(s) || s < 0 || s >= slotCount)
      if (bad !== undefined) {
        this.close()
        throw new Error(
          `${file}: ${split} slot ${bad} is outside the cache (${slotCount} slots of ${size}x${size})`,
        )
      }
    }
  }

  count(split: DataSplit): number {
    return this.slots[split].length
  }

  async readBatch(split: DataSplit, indices: number[]): Promise<Uint8Array> {
    if (this.fd === null) throw new Error(`${this.file}: data file is closed`)
    const b = this.size * this.size * 3
    const out = new Uint8Array(indices.length * b)
    const slots = this.slots[split]
    indices.forEach((i, k) => {
      checkIndex(split, i, slots.length, this.file)
      const slot = slots[i] as number
      const got = readSync(this.fd as number, out, k * b, b, slot * b)
      if (got !== b) throw new Error(`${this.file}: short read at slot ${slot}`)
    })
    return out
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }
}

/**
 * Synthetic faces-stand-in for tests: a tinted background with one filled circle or square of a
 * random colour, position and size. Structured enough that a VAE's loss falls quickly.
 */
export function syntheticShapes(count: number, size: number, seed: number): Uint8Array {
  const rng = new Rng(seed)
  const out = new Uint8Array(count * size * size * 3)
  for (let n = 0; n < count; n++) {
    const bg = [rng.below(96), rng.below(96), rng.below(96)]
    const fg = [128 + rng.below(128), 128 + rng.below(128), 128 + rng.below(128)]
    const r = size * (0.15 + 0.2 * rng.next())
    const cx = r + rng.next() * (size - 2 * r)
    const cy = r + rng.next() * (size - 2 * r)
    const circle = rng.next() < 0.5
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = x + 0.5 - cx
        const dy = y + 0.5 - cy
        const inside = circle ? dx * dx + dy * dy <= r * r : Math.abs(dx) <= r && Math.abs(dy) <= r
        const c = inside ? fg : bg
        const o = ((n * size + y) * size + x) * 3
        out[o] = c[0] as number
        out[o + 1] = c[1] as number
        out[o + 2] = c[2] as number
      }
    }
  }
  return out
}

/** An in-memory synthetic data set with the three splits. */
export function syntheticData(
  size: number,
  counts: Record<DataSplit, number>,
  seed = 1,
): InMemoryData {
  return new InMemoryData(size, {
    train: syntheticShapes(counts.train, size, seed),
    validation: syntheticShapes(counts.validation, size, seed + 1),
    test: syntheticShapes(counts.test, size, seed + 2),
  })
}
