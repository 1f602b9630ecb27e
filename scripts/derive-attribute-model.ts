/**
 * Derives resources/celeba-attribute-model.json (a Chow–Liu tree) from the real CelebA labels in
 * ../shared, which must not be copied into the project. Usage:
 *   npx tsx scripts/derive-attribute-model.ts [list_attr_celeba.txt] [out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { format } from 'prettier'
import { basename, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CELEBA_ATTRIBUTES } from '../src/main/dataset/synth/celebaAttributes'
import { parseAttributeFile } from '../src/main/dataset/synth/celebaFormat'
import { deriveChowLiuModel } from '../src/main/dataset/synth/attributeModel'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const input =
  process.argv[2] ??
  resolve(root, '..', 'shared', 'celeba-annotations', 'list_attr_celeba_first6128.txt')
const output = process.argv[3] ?? resolve(root, 'resources', 'celeba-attribute-model.json')

const parsed = parseAttributeFile(readFileSync(input, 'utf8'), input)
if (parsed.names.join(' ') !== CELEBA_ATTRIBUTES.join(' ')) {
  throw new Error(`${input}:2: attribute names are not CelebA's 40 names in CelebA's order`)
}
const rows = parsed.rows.map((row) => row.values.map((v) => v === 1))
const model = deriveChowLiuModel(rows, `${basename(input)} (${rows.length} rows of CelebA labels)`)

const round = (x: number): number => Math.round(x * 1e6) / 1e6
const rounded = {
  ...model,
  nodes: model.nodes.map((node) => ({
    ...node,
    cpt: node.cpt.map((row) => row.map(round)),
    mutualInformation: round(node.mutualInformation),
  })),
}
// Formatted as the repository's Prettier check expects.
writeFileSync(output, await format(JSON.stringify(rounded), { parser: 'json' }))
process.stdout.write(
  `${output}: ${model.nodes.length} tree variables over 40 attributes from ${rows.length} rows\n`,
)
