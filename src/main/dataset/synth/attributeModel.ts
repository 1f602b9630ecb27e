import { CELEBA_ATTRIBUTES, type CelebaAttribute, type AttributeVector } from './celebaAttributes'

/**
 * A Chow–Liu tree over CelebA's labels: the root's distribution and, for every other variable,
 * P(variable | parent) along the spanning tree of maximum mutual information. Sampling it
 * reproduces the real marginals and the strongest pairwise dependencies without keeping any real
 * rows. Most variables are single attributes (states -1, 1); mutually exclusive attributes (the
 * four hair colours; straight and wavy) form one categorical variable whose state 0 means none,
 * so the tree cannot pair them where real labels almost never do.
 */
export interface AttributeModel {
  source: string
  rows: number
  /** Root first, every parent before its children. */
  nodes: AttributeNode[]
}

export interface AttributeNode {
  /** The attribute, or a group name for a categorical variable. */
  name: string
  /** For a group: the attributes of states 1…k (state 0 is none of them). */
  members?: CelebaAttribute[]
  parent: string | null
  /** cpt[parentState][state]: one row for the root. */
  cpt: number[][]
  /** Mutual information with the parent in nats; 0 for the root. */
  mutualInformation: number
}

/** Attribute groups that are categorical variables of the tree. */
export const EXCLUSIVE_GROUPS: Readonly<Record<string, readonly CelebaAttribute[]>> = {
  Hair_Colour: ['Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair'],
  Hair_Texture: ['Straight_Hair', 'Wavy_Hair'],
}

interface Variable {
  name: string
  members?: CelebaAttribute[]
  states: number
  /** Weight of each state for one row (a row naming two colours counts half for each). */
  weights(row: readonly boolean[]): number[]
}

function variables(): Variable[] {
  const grouped = new Set(Object.values(EXCLUSIVE_GROUPS).flat())
  const out: Variable[] = []
  for (const [name, members] of Object.entries(EXCLUSIVE_GROUPS)) {
    const idx = members.map((m) => CELEBA_ATTRIBUTES.indexOf(m))
    out.push({
      name,
      members: [...members],
      states: members.length + 1,
      weights(row) {
        const on = idx.map((i) => (row[i] ? 1 : 0))
        const n = on.reduce((a: number, b) => a + b, 0)
        return n === 0 ? [1, ...on] : [0, ...on.map((x) => x / n)]
      },
    })
  }
  CELEBA_ATTRIBUTES.forEach((name, i) => {
    if (grouped.has(name)) return
    out.push({ name, states: 2, weights: (row) => (row[i] ? [0, 1] : [1, 0]) })
  })
  return out
}

/** Derives the tree from label rows (booleans in CelebA order). Pure. */
export function deriveChowLiuModel(
  rows: readonly (readonly boolean[])[],
  source: string,
  rootName = 'Male',
): AttributeModel {
  if (rows.length === 0) throw new Error(`${source}: no label rows to derive a model from`)
  const vars = variables()
  const n = vars.length
  const w = rows.map((row) => vars.map((v) => v.weights(row)))
  const total = rows.length
  const marginal = vars.map((v, i) => {
    const m = new Array<number>(v.states).fill(0)
    for (const r of w) r[i]!.forEach((x, s) => (m[s]! += x))
    return m.map((x) => x / total)
  })
  // Each row's single state per variable (-1 where a row splits its weight between states), so
  // the pairwise tables are plain counts for nearly every row.
  const single = vars.map((_, i) => {
    const out = new Int8Array(total)
    w.forEach((r, k) => {
      const ws = r[i]!
      const s = ws.indexOf(1)
      out[k] = s >= 0 ? s : -1
    })
    return out
  })
  /** joint[a][b]: P(var i = a, var j = b). */
  const joint = (i: number, j: number): number[][] => {
    const t = Array.from({ length: vars[i]!.states }, () =>
      new Array<number>(vars[j]!.states).fill(0),
    )
    const si = single[i]!
    const sj = single[j]!
    for (let k = 0; k < total; k++) {
      const a = si[k]!
      const b = sj[k]!
      if (a >= 0 && b >= 0) {
        t[a]![b]! += 1
        continue
      }
      const wi = w[k]![i]!
      const wj = w[k]![j]!
      for (let x = 0; x < wi.length; x++) {
        for (let y = 0; y < wj.length; y++) t[x]![y]! += wi[x]! * wj[y]!
      }
    }
    return t.map((row) => row.map((c) => c / total))
  }
  const mutualInformation = (i: number, j: number): number => {
    let sum = 0
    joint(i, j).forEach((row, a) =>
      row.forEach((p, b) => {
        if (p > 0) sum += p * Math.log(p / (marginal[i]![a]! * marginal[j]![b]!))
      }),
    )
    return sum
  }

  // Prim's algorithm from the root yields the maximum spanning tree in parent-first order.
  const root = vars.findIndex((v) => v.name === rootName)
  if (root < 0) throw new Error(`unknown root variable ${rootName}`)
  const inTree = new Array<boolean>(n).fill(false)
  const best = new Array<number>(n).fill(-1)
  const bestParent = new Array<number>(n).fill(-1)
  const nodes: AttributeNode[] = []
  let next = root
  while (next >= 0) {
    const i = next
    inTree[i] = true
    const v = vars[i]!
    const parent = bestParent[i]!
    const base = { name: v.name, ...(v.members ? { members: v.members } : {}) }
    if (parent < 0) {
      nodes.push({ ...base, parent: null, cpt: [marginal[i]!], mutualInformation: 0 })
    } else {
      const cpt = joint(parent, i).map((row, a) => {
        const pa = marginal[parent]![a]!
        return pa > 0 ? row.map((p) => p / pa) : marginal[i]!
      })
      nodes.push({ ...base, parent: vars[parent]!.name, cpt, mutualInformation: best[i]! })
    }
    next = -1
    for (let j = 0; j < n; j++) {
      if (inTree[j]) continue
      const m = mutualInformation(i, j)
      if (m > best[j]!) {
        best[j] = m
        bestParent[j] = i
      }
      if (next < 0 || best[j]! > best[next]!) next = j
    }
  }
  return { source, rows: total, nodes }
}

/** Checks a parsed JSON value is a usable model; `source` names the file in errors. */
export function validateAttributeModel(value: unknown, source: string): AttributeModel {
  const model = value as AttributeModel
  if (!model || !Array.isArray(model.nodes)) {
    throw new Error(`${source}: expected an object with a "nodes" list`)
  }
  const covered = new Set<string>()
  const states = new Map<string, number>()
  model.nodes.forEach((node, i) => {
    const where = `${source}: node ${i} (${String(node?.name)})`
    const members = node.members ?? [node.name]
    if (
      members.some((m) => !(CELEBA_ATTRIBUTES as readonly string[]).includes(m) || covered.has(m))
    ) {
      throw new Error(`${where} names an unknown or repeated attribute`)
    }
    const own = node.members ? node.members.length + 1 : 2
    const parentStates = node.parent === null ? 1 : states.get(node.parent)
    if ((i === 0) !== (node.parent === null) || parentStates === undefined) {
      throw new Error(`${where} must come after its parent; only the first node is the root`)
    }
    if (
      !Array.isArray(node.cpt) ||
      node.cpt.length !== parentStates ||
      node.cpt.some(
        (row) =>
          !Array.isArray(row) ||
          row.length !== own ||
          row.some((p) => typeof p !== 'number' || p < 0 || p > 1) ||
          Math.abs(row.reduce((a, b) => a + b, 0) - 1) > 1e-3,
      )
    ) {
      throw new Error(
        `${where} needs ${parentStates} probability rows of ${own} values summing to 1`,
      )
    }
    members.forEach((m) => covered.add(m))
    states.set(node.name, own)
  })
  if (covered.size !== CELEBA_ATTRIBUTES.length) {
    throw new Error(
      `${source}: the nodes must cover all ${CELEBA_ATTRIBUTES.length} CelebA attributes`,
    )
  }
  return model
}

/** Draws one label vector by ancestral sampling down the tree; `random` returns [0, 1). */
export function sampleAttributes(model: AttributeModel, random: () => number): AttributeVector {
  const out = {} as AttributeVector
  const state = new Map<string, number>()
  for (const node of model.nodes) {
    const row = node.cpt[node.parent === null ? 0 : (state.get(node.parent) ?? 0)]!
    let u = random()
    let s = 0
    while (s < row.length - 1 && u >= row[s]!) u -= row[s++]!
    state.set(node.name, s)
    if (node.members) node.members.forEach((m, k) => (out[m] = s === k + 1))
    else out[node.name as CelebaAttribute] = s === 1
  }
  return out
}
