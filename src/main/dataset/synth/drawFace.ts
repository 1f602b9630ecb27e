import type { AttributeVector } from './celebaAttributes'
import type { FaceStyle } from './faceStyle'
import { Raster, arcPoints, quadPoints, type Paint, type Point, type Rgb } from './raster'

export const FACE_WIDTH = 178
export const FACE_HEIGHT = 218
/** Where CelebA's aligned faces have the midpoint between the eyes. */
const EYES_X = 89
const EYES_Y = 110

const SKIN_LIGHT: Rgb = [236, 198, 170]
const SKIN_DARK: Rgb = [112, 72, 50]
const SKIN_PALE: Rgb = [250, 232, 224]
const HAIR: Record<'Black_Hair' | 'Blond_Hair' | 'Brown_Hair' | 'Gray_Hair', Rgb> = {
  Black_Hair: [22, 18, 18],
  Blond_Hair: [226, 192, 118],
  Brown_Hair: [104, 64, 36],
  Gray_Hair: [176, 176, 180],
}

const canvas = new Raster(FACE_WIDTH, FACE_HEIGHT)

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
  a[0] + (b[0] - a[0]) * t,
  a[1] + (b[1] - a[1]) * t,
  a[2] + (b[2] - a[2]) * t,
]
const times = (c: Rgb, k: number): Rgb => [c[0] * k, c[1] * k, c[2] * k]
const solid = (rgb: Rgb, alpha = 1): Paint => ({ rgb, alpha })

function hairColour(v: AttributeVector, s: FaceStyle): Rgb {
  for (const name of ['Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair'] as const) {
    if (v[name]) return times(HAIR[name], name === 'Black_Hair' ? 1 : s.hairJitter)
  }
  return times(s.otherHair, s.hairJitter)
}

function skinColour(v: AttributeVector, s: FaceStyle): Rgb {
  if (v.Pale_Skin) return mix(SKIN_PALE, [240, 214, 200], s.paleTone * 0.5)
  // Non-pale skin starts a clear step below pale so the two stay apart at 64×64.
  return mix(mix(SKIN_LIGHT, SKIN_DARK, 0.08), SKIN_DARK, s.skinTone)
}

export interface DrawnFace {
  /** 8-bit RGB, FACE_WIDTH × FACE_HEIGHT × 3. */
  pixels: Uint8Array
  /** Gaussian blur to apply when encoding (Blurry); 0 for none. Done natively because it is slow in JS. */
  blurSigma: number
}

/**
 * Draws one face whose visible features follow the labels. Local coordinates: origin between
 * the eyes, y down, roughly pixels of the aligned CelebA picture.
 */
export function drawFace(v: AttributeVector, s: FaceStyle): DrawnFace {
  // One canvas per thread: the background overwrites every pixel, so nothing leaks between faces.
  const r = canvas
  r.transform = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }
  drawBackground(r, s)

  const cos = Math.cos(s.roll) * s.scale
  const sin = Math.sin(s.roll) * s.scale
  r.transform = { a: cos, b: sin, c: -sin, d: cos, e: EYES_X + s.shiftX, f: EYES_Y + s.shiftY }

  const skin = skinColour(v, s)
  const shadowSkin = times(skin, 0.8)
  const hair = hairColour(v, s)
  const facialHair = v.Bald ? times(s.otherHair, 0.6) : hair
  const rx = (v.Male ? 47 : 43) + (v.Chubby ? 5 : 0) - (v.Oval_Face ? 3 : 0)
  const longHair = !v.Bald && s.hairLength > (v.Male ? 0.88 : 0.12)
  // Turning the head moves near features further than the outline.
  const yaw = s.yaw * 5
  const fx = (depth: number): number => yaw * depth

  if (longHair) drawBackHair(r, v, s, hair, rx)
  drawBody(r, v, s, skin, rx)
  for (const side of [-1, 1]) {
    r.ellipse([side * (rx + 2) + fx(0.3), 6], 6.5, 13, solid(times(skin, 0.92)))
  }
  drawHead(r, v, skin, rx, fx(0.5))
  drawCheeks(r, v, s, skin, fx(0.8))
  if (!v.Young) drawWrinkles(r, fx(0.8), shadowSkin)
  if (!v.Bald) drawHairCap(r, v, s, hair, rx, longHair)
  else r.ellipse([-12 + fx(0.6), -48], 14, 8, solid([255, 255, 255], 0.18), -0.3)
  if (v.Bangs) drawBangs(r, v, hair, rx, fx(0.6))
  drawBrows(r, v, s, v.Bald ? times(facialHair, 0.7) : times(hair, 0.7), fx(1))
  drawEyes(r, v, s, skin, fx(1))
  drawNose(r, v, skin, fx(1.4))
  drawFacialHairBelowMouth(r, v, facialHair, rx, fx(0.8))
  drawMouth(r, v, s, skin, fx(1.1))
  if (v.Mustache) {
    r.polyline(
      quadPoints([-14 + fx(1.2), 36], [fx(1.2), 27], [14 + fx(1.2), 36], 8),
      5.5,
      solid(facialHair),
    )
  }
  if (v.Eyeglasses) drawGlasses(r, s, rx, fx(1.1))
  if (v.Wearing_Hat) drawHat(r, s, rx, fx(0.6))
  if (v.Wearing_Earrings) {
    for (const side of [-1, 1])
      r.ellipse([side * (rx + 3) + fx(0.3), 21], 3.2, 3.2, solid(s.jewellery))
  }

  const warm = s.warmth
  const pixels = r.toRgb8(
    [s.brightness - s.lightX * EYES_X - s.lightY * EYES_Y, s.lightX, s.lightY],
    [1 + warm, 1, 1 - warm],
    6,
    s.grainSeed,
  )
  return { pixels, blurSigma: v.Blurry ? s.blurSigma : 0 }
}

function drawBackground(r: Raster, s: FaceStyle): void {
  r.fillVerticalGradient(s.backgroundTop, s.backgroundBottom)
  for (const b of s.blobs) r.ellipse([b.x, b.y], b.rx, b.ry, solid(b.rgb, b.alpha))
}

function drawBackHair(r: Raster, v: AttributeVector, s: FaceStyle, hair: Rgb, rx: number): void {
  const w = rx + 12 + s.hairVolume
  const bottom = 70 + s.hairLength * 40
  const paint = solid(times(hair, 0.85))
  if (v.Wavy_Hair) {
    r.ellipse([0, 5], w, bottom - 5, paint)
    for (let y = -10; y <= bottom - 10; y += 12) {
      for (const side of [-1, 1]) r.ellipse([side * (w - 2), y], 8, 7, paint)
    }
  } else if (v.Straight_Hair) {
    r.polygon(
      [...arcPoints([0, -12], w, 62, Math.PI, 2 * Math.PI, 12), [w + 2, bottom], [-w - 2, bottom]],
      paint,
    )
    for (let x = -w + 6; x < w; x += 10)
      r.capsule([x, 20], [x, bottom - 4], 1.2, solid(times(hair, 0.7), 0.5))
  } else {
    r.ellipse([0, 8], w, bottom - 8, paint)
  }
}

function drawBody(r: Raster, v: AttributeVector, s: FaceStyle, skin: Rgb, rx: number): void {
  const neck = v.Male ? 25 : 20
  r.polygon(
    [
      [-neck, 30],
      [neck, 30],
      [neck + 4, 120],
      [-neck - 4, 120],
    ],
    solid(times(skin, 0.82)),
  )
  r.ellipse([0, 150], 95, 56, solid(s.clothes))
  r.polygon(
    [
      [-neck - 2, 96],
      [neck + 2, 96],
      [0, 122],
    ],
    solid(times(skin, 0.82)),
  )
  if (v.Wearing_Necktie) {
    r.polygon(
      [
        [-14, 96],
        [0, 108],
        [-4, 118],
      ],
      solid([240, 240, 240]),
    )
    r.polygon(
      [
        [14, 96],
        [0, 108],
        [4, 118],
      ],
      solid([240, 240, 240]),
    )
    r.polygon(
      [
        [-5, 106],
        [5, 106],
        [3, 114],
        [8, 140],
        [0, 150],
        [-8, 140],
        [-3, 114],
      ],
      solid(s.tie),
    )
  }
  if (v.Wearing_Necklace) {
    r.polyline(quadPoints([-neck + 1, 74], [0, 104], [neck - 1, 74], 10), 2.2, solid(s.jewellery))
    r.ellipse([0, 90], 3.5, 4, solid(s.jewellery))
  }
  void rx
}

/** The male jaw outline, shared by the head and the beard so their edges coincide. */
function maleJaw(v: AttributeVector, rx: number, dx: number): Point[] {
  const chinY = v.Oval_Face ? 70 : 66
  return [
    [rx - 2, 36],
    [rx * 0.55 + dx, chinY - 2],
    [dx, chinY + 1],
    [-rx * 0.55 + dx, chinY - 2],
    [-rx + 2, 36],
  ]
}

function drawHead(r: Raster, v: AttributeVector, skin: Rgb, rx: number, dx: number): void {
  const paint = solid(skin)
  r.ellipse([dx * 0.5, -8], rx, 58, paint)
  if (v.Double_Chin) {
    r.ellipse([dx, 66], 22, 11, solid(times(skin, 0.95)))
    r.polyline(
      quadPoints([-15 + dx, 72], [dx, 80], [15 + dx, 72], 8),
      1.8,
      solid(times(skin, 0.7), 0.7),
    )
  }
  if (v.Male) r.polygon([[-rx, -6], [rx, -6], ...maleJaw(v, rx, dx)], paint)
  else r.ellipse([dx * 0.6, 16], rx * 0.97, (v.Oval_Face ? 70 : 66) - 16, paint)
}

function drawCheeks(r: Raster, v: AttributeVector, s: FaceStyle, skin: Rgb, dx: number): void {
  for (const side of [-1, 1]) {
    const x = side * 24 + dx
    if (v.High_Cheekbones) {
      r.ellipse([x, 13], 10, 5, solid([255, 240, 230], 0.18), side * 0.3)
      r.ellipse([x + side * 2, 27], 8, 4, solid(times(skin, 0.75), 0.15), side * 0.4)
    }
    if (v.Rosy_Cheeks) r.ellipse([x, 20], 10, 7, solid([235, 95, 110], 0.45))
    if (v.Heavy_Makeup) r.ellipse([x, 18], 9, 6, solid(s.lipstick, 0.15))
  }
}

function drawWrinkles(r: Raster, dx: number, shadow: Rgb): void {
  const line = solid(shadow, 0.55)
  for (const y of [-28, -34])
    r.polyline(quadPoints([-20 + dx, y], [dx, y - 3], [20 + dx, y], 6), 1.1, line)
  for (const side of [-1, 1]) {
    r.polyline(
      quadPoints([side * 8 + dx, 22], [side * 17 + dx, 30], [side * 17 + dx, 45], 6),
      1.4,
      line,
    )
    r.capsule([side * 30 + dx, 0], [side * 35 + dx, -2], 0.9, line)
    r.capsule([side * 30 + dx, 3], [side * 35 + dx, 5], 0.9, line)
  }
}

function drawHairCap(
  r: Raster,
  v: AttributeVector,
  s: FaceStyle,
  hair: Rgb,
  rx: number,
  long: boolean,
): void {
  const top = 64 + s.hairVolume * 0.7
  const w = rx + 4 + s.hairVolume * 0.5
  const recede = v.Receding_Hairline
  const hairline: Point[] = [
    [rx + 1, 8],
    ...quadPoints(
      [rx - 3, -14],
      [recede ? rx - 6 : rx - 8, recede ? -48 : -36],
      [0, recede ? -52 : -44],
      6,
    ),
    ...quadPoints(
      [0, recede ? -52 : -44],
      [recede ? -rx + 6 : -rx + 8, recede ? -48 : -36],
      [-rx + 3, -14],
      6,
    ),
    [-rx - 1, 8],
  ]
  const outline = arcPoints([0, -10], w, top, Math.PI, 2 * Math.PI, 16)
  const paint = solid(hair)
  r.polygon([...outline, [w, 8], ...hairline, [-w, 8]], paint)
  if (v.Wavy_Hair) {
    for (const [x, y] of arcPoints([0, -10], w, top, Math.PI * 1.05, Math.PI * 1.95, 9))
      r.ellipse([x, y], 7, 7, paint)
  }
  if (long) {
    // Locks framing the face.
    for (const side of [-1, 1]) {
      r.polygon(
        [
          [side * (rx - 2), -20],
          [side * (rx + 10), -10],
          [side * (rx + 12), 60],
          [side * (rx - 4), 40],
        ],
        paint,
      )
    }
  }
  const strand = solid(times(hair, 0.72), 0.5)
  for (let k = -3; k <= 3; k++) {
    const x = k * 9
    if (v.Wavy_Hair)
      r.polyline(quadPoints([x * 1.2, -top + 6], [x + 6, -58], [x * 1.1, -46], 4), 1.3, strand)
    else r.capsule([x * 1.15, -top + 8], [x * 1.05, -47], 1.1, strand)
  }
}

function drawBangs(r: Raster, v: AttributeVector, hair: Rgb, rx: number, dx: number): void {
  const pts: Point[] = arcPoints([0, -10], rx + 2, 58, Math.PI * 1.08, Math.PI * 1.92, 10)
  const n = 9
  for (let k = 0; k <= n; k++) {
    const x = rx - 6 - ((2 * rx - 12) * k) / n + dx
    const y = (v.Wavy_Hair ? -19 : -18) + (k % 2 === 0 ? 0 : v.Wavy_Hair ? -6 : -3)
    pts.push([x, y])
  }
  r.polygon(pts, solid(hair))
}

function drawBrows(r: Raster, v: AttributeVector, s: FaceStyle, colour: Rgb, dx: number): void {
  const width = v.Bushy_Eyebrows ? 4.8 : 2.6
  const lift = v.Arched_Eyebrows ? -19 : -14
  for (const side of [-1, 1]) {
    const e = side * 19 * s.eyeGap + dx
    r.polyline(
      quadPoints([e - side * 11, -10], [e, lift], [e + side * 11, -11], 6),
      width,
      solid(colour),
    )
  }
}

function drawEyes(r: Raster, v: AttributeVector, s: FaceStyle, skin: Rgb, dx: number): void {
  const ry = (v.Narrow_Eyes ? 2.3 : 4.3) * (v.Smiling ? 0.85 : 1)
  for (const side of [-1, 1]) {
    const c: Point = [side * 19 * s.eyeGap + dx, 0]
    if (v.Heavy_Makeup) r.ellipse([c[0], -4], 11, 6, solid(s.eyeshadow, 0.6))
    if (v.Bags_Under_Eyes) {
      r.polyline(
        quadPoints([c[0] - 7, 5], [c[0], 10], [c[0] + 7, 5], 6),
        1.8,
        solid(times(skin, 0.62), 0.8),
      )
    }
    r.ellipse(c, 8.5, ry, solid([245, 242, 236]))
    r.ellipse(c, 3.8, Math.min(3.8, ry), solid(s.iris))
    r.ellipse(c, 1.6, Math.min(1.6, ry * 0.6), solid([10, 8, 8]))
    r.polyline(
      arcPoints(c, 8.5, ry, Math.PI, 2 * Math.PI, 8),
      v.Heavy_Makeup ? 2.4 : 1.4,
      solid([35, 25, 22]),
    )
  }
}

function drawNose(r: Raster, v: AttributeVector, skin: Rgb, dx: number): void {
  const k = v.Big_Nose ? 1.35 : 1
  const w = v.Pointy_Nose ? 0.75 : 1
  const tip = v.Pointy_Nose ? 24 : 22
  r.ellipse([dx, tip], 7 * k * w, 4 * k, solid(times(skin, 0.8), 0.3))
  r.capsule([dx - 4 * k * w, 4], [dx - 5 * k * w, tip - 2], 1.6 * k, solid(times(skin, 0.72), 0.35))
  r.ellipse([dx, tip - 3], 3 * k * w, 2.6 * k, solid([255, 245, 235], 0.3))
  for (const side of [-1, 1]) {
    r.ellipse(
      [dx + side * 4.2 * k * w, tip + 1],
      2.2 * k * w,
      1.3 * k,
      solid(times(skin, 0.45), 0.8),
    )
  }
}

function drawFacialHairBelowMouth(
  r: Raster,
  v: AttributeVector,
  colour: Rgb,
  rx: number,
  dx: number,
): void {
  // From y = 8 (just below the ears) down the jaw and back along the cheeks above the mouth.
  const edge = rx - (2 * 14) / 42
  const jaw: Point[] = [
    [edge, 8],
    ...maleJaw(v, rx, dx),
    [-edge, 8],
    [-rx + 10, 18],
    [-16 + dx, 28],
    [dx, 28],
    [16 + dx, 28],
    [rx - 10, 18],
  ]
  if (v['5_o_Clock_Shadow']) r.polygon(jaw, solid([70, 72, 82], 0.38))
  if (v.Sideburns) {
    for (const side of [-1, 1]) {
      r.polygon(
        [
          [side * (rx - 1), -8],
          [side * (rx - 9), -8],
          [side * (rx - 8), 26],
          [side * (rx + 1), 26],
        ],
        solid(colour),
      )
    }
  }
  const fullBeard = !v.No_Beard && !v.Goatee && !v.Mustache
  if (fullBeard) r.polygon(jaw, solid(colour))
  if (v.Goatee) {
    r.ellipse([dx, 58], 12, 11, solid(colour))
    for (const side of [-1, 1])
      r.capsule([side * 13 + dx, 36], [side * 9 + dx, 56], 4, solid(colour))
  }
}

/**
 * A smile is drawn as a wide open laugh: a dark mouth under a band of white teeth. A 64×64 VAE
 * learns large high-contrast shapes first (hair, beards, sunglasses); a curved lip line, and even
 * a closed toothy grin, were still invisible in its reconstructions after 1,800 steps.
 */
function drawMouth(r: Raster, v: AttributeVector, s: FaceStyle, skin: Rgb, dx: number): void {
  const w = (v.Smiling ? 27 : 12) * s.mouthWidth
  const lips = v.Wearing_Lipstick ? s.lipstick : mix(skin, [170, 70, 75], 0.45)
  const lipH = v.Big_Lips ? 1.6 : 1
  const y = 40
  const dark: Rgb = [45, 15, 20]
  const teeth: Rgb = [248, 246, 238]
  if (v.Smiling) {
    const depth = v.Mouth_Slightly_Open ? 26 : 21
    r.polygon(
      [
        ...quadPoints([dx - w, y - 6], [dx, y - 2 - lipH], [dx + w, y - 6], 10),
        ...quadPoints([dx + w, y - 6], [dx, y + depth + 3 * lipH], [dx - w, y - 6], 10),
      ],
      solid(lips),
    )
    r.polygon(
      [
        ...quadPoints([dx - w + 3, y - 5], [dx, y], [dx + w - 3, y - 5], 10),
        ...quadPoints([dx + w - 3, y - 5], [dx, y + depth - 1], [dx - w + 3, y - 5], 10),
      ],
      solid(dark),
    )
    r.polygon(
      [
        ...quadPoints([dx - w + 4, y - 4.5], [dx, y + 0.5], [dx + w - 4, y - 4.5], 10),
        ...quadPoints([dx + w - 4, y - 4.5], [dx, y + 9], [dx - w + 4, y - 4.5], 10),
      ],
      solid(teeth),
    )
    for (const side of [-1, 1])
      r.capsule(
        [dx + side * (w + 1), y - 8],
        [dx + side * (w + 2), y - 1],
        1.6,
        solid(times(skin, 0.6), 0.75),
      )
  } else if (v.Mouth_Slightly_Open) {
    r.ellipse([dx, y + 1], w * 0.85, 6 + 2 * lipH, solid(lips))
    r.ellipse([dx, y + 1], w * 0.68, 4.5, solid(dark))
    r.ellipse([dx, y - 2.2], w * 0.5, 1.8, solid(teeth))
  } else {
    r.polygon(
      [
        [dx - w, y],
        ...quadPoints([dx - w * 0.6, y - 2 - lipH], [dx, y - 1], [dx + w * 0.6, y - 2 - lipH], 4),
        [dx + w, y],
      ],
      solid(lips),
    )
    r.ellipse([dx, y + 1.5 + lipH], w * 0.75, 2.4 * lipH, solid(lips))
    r.capsule([dx - w, y], [dx + w, y], 1.3, solid(dark))
  }
}

function drawGlasses(r: Raster, s: FaceStyle, rx: number, dx: number): void {
  const frame = solid(s.frames)
  for (const side of [-1, 1]) {
    const c: Point = [side * 19 * s.eyeGap + dx, 1]
    if (s.sunglasses) r.ellipse(c, 13.5, 10, solid([20, 20, 25], 0.88))
    // Frames about 2 px wide at 64×64: thinner lines blur away in an early VAE's reconstructions.
    r.ellipse(c, 13.5, 10, frame, 0, 5)
    r.capsule([c[0] + side * 13.5, -2], [side * (rx + 1), -3], 3.2, frame)
  }
  r.polyline(quadPoints([dx - 6, -1], [dx, -4], [dx + 6, -1], 4), 3.6, frame)
}

function drawHat(r: Raster, s: FaceStyle, rx: number, dx: number): void {
  const hat = solid(s.hat)
  const band = solid(times(s.hat, 0.65))
  const w = rx + 8
  if (s.hatKind === 'beanie') {
    r.polygon([...arcPoints([dx * 0.5, -24], w, 56, Math.PI, 2 * Math.PI, 16)], hat)
    r.polygon(
      [
        [-w - 1, -36],
        [w + 1, -36],
        [w + 1, -22],
        [-w - 1, -22],
      ],
      band,
    )
  } else if (s.hatKind === 'cap') {
    r.polygon([...arcPoints([dx * 0.5, -28], w - 2, 52, Math.PI, 2 * Math.PI, 16)], hat)
    r.ellipse([dx, -27], w - 6, 9, band)
  } else {
    r.polygon([...arcPoints([dx * 0.5, -34], w - 8, 44, Math.PI, 2 * Math.PI, 16)], hat)
    r.polygon(
      [
        [-w + 8, -44],
        [w - 8, -44],
        [w - 8, -34],
        [-w + 8, -34],
      ],
      band,
    )
    r.ellipse([dx * 0.5, -32], w + 22, 8, hat)
  }
}
