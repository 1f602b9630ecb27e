import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  deriveChowLiuModel,
  sampleAttributes,
  validateAttributeModel,
} from '../../src/main/dataset/synth/attributeModel'
import {
  CELEBA_ATTRIBUTES,
  type AttributeVector,
} from '../../src/main/dataset/synth/celebaAttributes'
import {
  formatAttributeHeader,
  formatAttributeRow,
  parseAttributeFile,
  partitionOf,
} from '../../src/main/dataset/synth/celebaFormat'
import { enforceConstraints, violatedConstraint } from '../../src/main/dataset/synth/constraints'
import { planFace } from '../../src/main/dataset/synth/face'
import { attributeModelPath, loadAttributeModel } from '../../src/main/dataset/synth/modelResource'
import { createRng } from '../../src/main/dataset/synth/rng'
import { celebaAnnotationsDir, sharedDataAvailable } from '../support/sharedData'

const realFile = join(celebaAnnotationsDir, 'list_attr_celeba_first6128.txt')
const SAMPLES = 2000

function bits(v: AttributeVector): boolean[] {
  return CELEBA_ATTRIBUTES.map((n) => v[n])
}
const mean = (rows: boolean[][], j: number): number =>
  rows.reduce((s, r) => s + (r[j] ? 1 : 0), 0) / rows.length
function phi(rows: boolean[][], i: number, j: number): number {
  const pi = mean(rows, i)
  const pj = mean(rows, j)
  const pij = rows.reduce((s, r) => s + (r[i] && r[j] ? 1 : 0), 0) / rows.length
  return (pij - pi * pj) / Math.sqrt(pi * (1 - pi) * pj * (1 - pj) || 1)
}

describe('random source', () => {
  it('repeats for the same (seed, stream) and differs across streams', () => {
    const a = createRng(42, 7)
    const b = createRng(42, 7)
    const c = createRng(42, 8)
    const xs = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })
})

describe('CelebA label file format', () => {
  it('writes rows the parser reads back, with the real file’s spacing', () => {
    const labels = planFace(loadAttributeModel(), 3, 0).labels
    const row = formatAttributeRow('000001.jpg', labels)
    expect(row).toMatch(/^000001\.jpg( {2}1| -1){40}$/)
    const parsed = parseAttributeFile(formatAttributeHeader(1) + row + '\n', 'generated')
    expect(parsed.names).toEqual([...CELEBA_ATTRIBUTES])
    expect(parsed.rows[0]?.values).toEqual(bits(labels).map((b) => (b ? 1 : -1)))
  })

  it('splits about 80/10/10 in contiguous blocks', () => {
    const splits = Array.from({ length: 1000 }, (_, i) => partitionOf(i, 1000))
    expect(splits.filter((s) => s === 0)).toHaveLength(800)
    expect(splits.filter((s) => s === 1)).toHaveLength(100)
    expect(splits.filter((s) => s === 2)).toHaveLength(100)
    expect([...splits].sort()).toEqual(splits)
  })
})

describe('attribute model', () => {
  it('rejects a model file that does not cover the attributes', () => {
    expect(() => validateAttributeModel({ nodes: [] }, 'bad.json')).toThrow(/bad\.json/)
    const model = loadAttributeModel()
    const broken = { ...model, nodes: model.nodes.slice(1) }
    expect(() => validateAttributeModel(broken, 'broken.json')).toThrow(/broken\.json: node 0/)
  })

  it('keeps the rules: labels always describe a face that can be drawn', () => {
    const model = loadAttributeModel()
    for (let i = 0; i < SAMPLES; i++) {
      expect(violatedConstraint(planFace(model, 11, i).labels)).toBeNull()
    }
    const rng = createRng(1)
    const impossible = Object.fromEntries(
      CELEBA_ATTRIBUTES.map((n) => [n, true]),
    ) as AttributeVector
    const fixed = enforceConstraints({ ...impossible, Male: false }, rng.next)
    expect(violatedConstraint(fixed)).toBeNull()
    expect(fixed.Goatee || fixed.Mustache || fixed.Bald || !fixed.No_Beard).toBe(false)
    expect(violatedConstraint(enforceConstraints(impossible, rng.next))).toBeNull()
  })
})

describe.runIf(sharedDataAvailable())('attribute statistics against the real CelebA labels', () => {
  const parsed = parseAttributeFile(readFileSync(realFile, 'utf8'), realFile)
  const real = parsed.rows.map((r) => r.values.map((v) => v === 1))
  const model = loadAttributeModel()
  const synthetic = Array.from({ length: SAMPLES }, (_, i) => bits(planFace(model, 2024, i).labels))

  it(
    'the committed model is what the derivation script makes from the real file',
    { timeout: 60_000 },
    () => {
      const derived = deriveChowLiuModel(real, 'real')
      const committed = JSON.parse(readFileSync(attributeModelPath, 'utf8')) as typeof derived
      expect(committed.nodes.map((n) => [n.name, n.parent])).toEqual(
        derived.nodes.map((n) => [n.name, n.parent]),
      )
      committed.nodes.forEach((node, k) => {
        node.cpt.forEach((row, a) =>
          row.forEach((p, s) => expect(p).toBeCloseTo(derived.nodes[k]!.cpt[a]![s]!, 5)),
        )
      })
    },
  )

  it('the tree alone reproduces every real marginal', () => {
    const rng = createRng(5)
    const raw = Array.from({ length: SAMPLES }, () => bits(sampleAttributes(model, rng.next)))
    CELEBA_ATTRIBUTES.forEach((name, j) => {
      const p = mean(real, j)
      const tolerance = 4 * Math.sqrt((p * (1 - p)) / SAMPLES) + 0.005
      expect(Math.abs(mean(raw, j) - p), name).toBeLessThan(tolerance)
    })
  })

  it('generated labels (after the rules) keep the real frequencies', () => {
    CELEBA_ATTRIBUTES.forEach((name, j) => {
      const p = mean(real, j)
      // The rules move a little mass (e.g. no bald women), hence the margin beyond sampling noise.
      const tolerance = 4 * Math.sqrt((p * (1 - p)) / SAMPLES) + 0.015
      expect(Math.abs(mean(synthetic, j) - p), name).toBeLessThan(tolerance)
    })
  })

  it('the strongest real correlations keep their sign', () => {
    const pairs: { i: number; j: number; r: number }[] = []
    for (let i = 0; i < CELEBA_ATTRIBUTES.length; i++) {
      for (let j = i + 1; j < CELEBA_ATTRIBUTES.length; j++)
        pairs.push({ i, j, r: phi(real, i, j) })
    }
    pairs.sort((a, b) => Math.abs(b.r) - Math.abs(a.r))
    for (const { i, j, r } of pairs.slice(0, 12)) {
      const s = phi(synthetic, i, j)
      expect(Math.sign(s), `${CELEBA_ATTRIBUTES[i]} ~ ${CELEBA_ATTRIBUTES[j]}`).toBe(Math.sign(r))
      expect(Math.abs(s)).toBeGreaterThan(0.1)
    }
  })
})
