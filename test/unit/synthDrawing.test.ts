import { describe, expect, it } from 'vitest'
import type { AttributeVector } from '../../src/main/dataset/synth/celebaAttributes'
import { drawFace, FACE_HEIGHT, FACE_WIDTH } from '../../src/main/dataset/synth/drawFace'
import { planFace } from '../../src/main/dataset/synth/face'
import { loadAttributeModel } from '../../src/main/dataset/synth/modelResource'

/** Mean absolute difference per channel inside a box (x0..x1, y0..y1 in the 178×218 picture). */
function boxDifference(
  a: Uint8Array,
  b: Uint8Array,
  [x0, y0, x1, y1]: [number, number, number, number],
): number {
  let sum = 0
  let n = 0
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * FACE_WIDTH + x) * 3 + c
        sum += Math.abs(a[i]! - b[i]!)
        n++
      }
    }
  }
  return sum / n
}

const EYES: [number, number, number, number] = [55, 95, 123, 125]
const MOUTH: [number, number, number, number] = [65, 138, 113, 168]
const FOREHEAD_AND_TOP: [number, number, number, number] = [40, 30, 138, 85]

describe('drawn faces show their attributes', () => {
  const model = loadAttributeModel()
  // A few different faces, each drawn twice with one label flipped and everything else equal.
  const faces = [0, 1, 2, 3, 4, 5].map((i) => planFace(model, 77, i))
  const flip = (attr: keyof AttributeVector, on: boolean) =>
    faces.map((f) => drawFace({ ...f.labels, [attr]: on, Blurry: false }, f.style).pixels)

  it('draws a 178×218 RGB picture, the same twice from the same plan', () => {
    const a = drawFace(faces[0]!.labels, faces[0]!.style).pixels
    expect(a).toHaveLength(FACE_WIDTH * FACE_HEIGHT * 3)
    expect(
      Buffer.from(drawFace(faces[0]!.labels, faces[0]!.style).pixels).equals(Buffer.from(a)),
    ).toBe(true)
  })

  it('Eyeglasses changes the eye region and barely the mouth', () => {
    const on = flip('Eyeglasses', true)
    const off = flip('Eyeglasses', false)
    on.forEach((img, k) => {
      expect(boxDifference(img, off[k]!, EYES)).toBeGreaterThan(15)
      expect(boxDifference(img, off[k]!, MOUTH)).toBeLessThan(2)
    })
  })

  it('Smiling and Mouth_Slightly_Open change the mouth region', () => {
    for (const attr of ['Smiling', 'Mouth_Slightly_Open'] as const) {
      const on = flip(attr, true)
      const off = flip(attr, false)
      on.forEach((img, k) => expect(boxDifference(img, off[k]!, MOUTH), attr).toBeGreaterThan(4))
    }
  })

  it('hair colour, hats and baldness change the top of the head', () => {
    const base = faces.map((f) => ({
      ...f.labels,
      Bald: false,
      Wearing_Hat: false,
      Black_Hair: false,
      Blond_Hair: false,
      Brown_Hair: false,
      Gray_Hair: false,
      Blurry: false,
    }))
    const draw = (patch: Partial<AttributeVector>) =>
      base.map((labels, k) => drawFace({ ...labels, ...patch }, faces[k]!.style).pixels)
    const black = draw({ Black_Hair: true })
    const blond = draw({ Blond_Hair: true })
    const hat = draw({ Black_Hair: true, Wearing_Hat: true })
    const bald = draw({ Bald: true })
    black.forEach((img, k) => {
      expect(boxDifference(img, blond[k]!, FOREHEAD_AND_TOP)).toBeGreaterThan(20)
      expect(boxDifference(img, hat[k]!, FOREHEAD_AND_TOP)).toBeGreaterThan(10)
      expect(boxDifference(img, bald[k]!, FOREHEAD_AND_TOP)).toBeGreaterThan(15)
    })
  })
})
