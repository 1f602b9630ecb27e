import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../../app/paths'
import { validateAttributeModel, type AttributeModel } from './attributeModel'

/** resources/celeba-attribute-model.json, derived by scripts/derive-attribute-model.ts. */
export const attributeModelPath = join(packageRoot(), 'resources', 'celeba-attribute-model.json')

let cached: AttributeModel | null = null

export function loadAttributeModel(path = attributeModelPath): AttributeModel {
  if (path === attributeModelPath && cached) return cached
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(
      `${path}: cannot read the attribute model (${(error as Error).message}); run scripts/derive-attribute-model.ts`,
      { cause: error },
    )
  }
  const model = validateAttributeModel(JSON.parse(text) as unknown, path)
  if (path === attributeModelPath) cached = model
  return model
}
