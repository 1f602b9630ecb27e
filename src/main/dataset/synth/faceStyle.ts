import type { Rng } from './rng'
import type { Rgb } from './raster'

/**
 * Everything about a face that the labels do not decide: pose, light, colours, background. Drawn
 * from its own random stream so that changing one label never changes the rest of the picture.
 */
export interface FaceStyle {
  roll: number
  yaw: number
  scale: number
  shiftX: number
  shiftY: number
  /** 0 lightest … 1 darkest non-pale skin. */
  skinTone: number
  paleTone: number
  /** Hair colour for faces with none of CelebA's four hair colours. */
  otherHair: Rgb
  hairJitter: number
  /** 0 … 1: how long the hair is (long above a threshold that depends on Male). */
  hairLength: number
  hairVolume: number
  iris: Rgb
  backgroundTop: Rgb
  backgroundBottom: Rgb
  blobs: { x: number; y: number; rx: number; ry: number; rgb: Rgb; alpha: number }[]
  clothes: Rgb
  hat: Rgb
  hatKind: 'beanie' | 'cap' | 'fedora'
  frames: Rgb
  sunglasses: boolean
  lipstick: Rgb
  eyeshadow: Rgb
  jewellery: Rgb
  tie: Rgb
  /** Light: brightness, horizontal and vertical slope, per-channel gain (colour temperature). */
  brightness: number
  lightX: number
  lightY: number
  warmth: number
  blurSigma: number
  grainSeed: number
  mouthWidth: number
  eyeGap: number
}

const OTHER_HAIR: readonly Rgb[] = [
  [140, 60, 28],
  [96, 62, 40],
  [170, 110, 70],
]
const IRIS: readonly Rgb[] = [
  [70, 45, 25],
  [50, 35, 25],
  [60, 90, 130],
  [80, 100, 60],
]
const FRAMES: readonly Rgb[] = [
  [15, 15, 18],
  [40, 25, 15],
  [20, 25, 60],
]
const JEWELLERY: readonly Rgb[] = [
  [235, 195, 70],
  [225, 225, 235],
]

/** A random colour pulled towards its own grey by `mute`: photo backgrounds are rarely vivid. */
function colour(rng: Rng, lo = 30, hi = 230, mute = 0): Rgb {
  const c = [rng.range(lo, hi), rng.range(lo, hi), rng.range(lo, hi)] as const
  const grey = (c[0] + c[1] + c[2]) / 3
  return [c[0] + (grey - c[0]) * mute, c[1] + (grey - c[1]) * mute, c[2] + (grey - c[2]) * mute]
}

export function sampleFaceStyle(rng: Rng): FaceStyle {
  const blobCount = Math.floor(rng.range(0, 3))
  const blobs: FaceStyle['blobs'] = []
  for (let k = 0; k < blobCount; k++) {
    blobs.push({
      x: rng.range(0, 178),
      y: rng.range(0, 218),
      rx: rng.range(15, 50),
      ry: rng.range(15, 50),
      rgb: colour(rng, 30, 230, 0.5),
      alpha: rng.range(0.2, 0.6),
    })
  }
  return {
    roll: rng.normal() * 0.06,
    yaw: Math.max(-1, Math.min(1, rng.normal() * 0.4)),
    scale: rng.range(0.94, 1.06),
    shiftX: rng.range(-3, 3),
    shiftY: rng.range(-3, 3),
    skinTone: Math.min(1, Math.abs(rng.normal()) * 0.35),
    paleTone: rng.next(),
    otherHair: rng.pick(OTHER_HAIR),
    hairJitter: rng.range(0.85, 1.12),
    hairLength: rng.next(),
    hairVolume: rng.range(0, 8),
    iris: rng.pick(IRIS),
    backgroundTop: colour(rng, 20, 245, 0.5),
    backgroundBottom: colour(rng, 20, 245, 0.5),
    blobs,
    clothes: colour(rng, 15, 220),
    hat: colour(rng, 20, 210),
    hatKind: rng.pick(['beanie', 'cap', 'fedora'] as const),
    frames: rng.pick(FRAMES),
    sunglasses: rng.chance(0.2),
    lipstick: [rng.range(150, 210), rng.range(15, 50), rng.range(40, 80)],
    eyeshadow: [rng.range(70, 140), rng.range(40, 80), rng.range(70, 130)],
    jewellery: rng.pick(JEWELLERY),
    tie: colour(rng, 20, 200),
    brightness: rng.range(0.82, 1.12),
    lightX: rng.normal() * 0.0025,
    lightY: rng.normal() * 0.0012,
    warmth: rng.normal() * 0.05,
    blurSigma: rng.range(1.3, 2.3),
    grainSeed: Math.floor(rng.next() * 4294967295) + 1,
    mouthWidth: rng.range(0.92, 1.08),
    eyeGap: rng.range(0.95, 1.05),
  }
}
