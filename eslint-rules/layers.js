import { builtinModules } from 'node:module'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'

/**
 * The layer rules of the code, as one ESLint rule: each layer is a folder with the folders of the
 * app it must not import (`forbid`), or the only ones it may (`only`), and whether Node's built-in
 * modules are off limits (`noNode`). Imports are resolved to paths before they are judged, so
 * `../../studio/x` and `@shared/x` are checked for where they lead, not for how they are spelled.
 */

const NODE_BUILTINS = new Set(builtinModules)

/** @param {string} path */
const posix = (path) => path.split(sep).join('/')

/** @param {string} path @param {string} dir */
const inside = (path, dir) => path === dir || path.startsWith(`${dir}/`)

/**
 * Where an import leads: an app path relative to the root, `node:` for a built-in module, or null
 * for a package.
 * @param {string} source @param {string} file @param {string} root @param {Record<string, string>} aliases
 */
function target(source, file, root, aliases) {
  if (source.startsWith('node:') || NODE_BUILTINS.has(source.split('/')[0] ?? '')) return 'node:'
  for (const [alias, dir] of Object.entries(aliases)) {
    if (source === alias || source.startsWith(`${alias}/`)) return dir + source.slice(alias.length)
  }
  if (!source.startsWith('.')) return null
  const path = relative(root, resolve(dirname(file), source))
  return isAbsolute(path) ? null : posix(path)
}

/**
 * Why an import breaks a layer, or null when it does not.
 * @param {{ dir: string, forbid?: string[], only?: string[], noNode?: boolean }} layer
 * @param {string} to
 */
function breach(layer, to) {
  if (to === 'node:') return layer.noNode ? "Node's built-in modules" : null
  if (!inside(to, 'src')) return null
  const forbidden = layer.forbid?.find((dir) => inside(to, dir))
  if (forbidden) return forbidden
  if (layer.only && !layer.only.some((dir) => inside(to, dir))) return to
  return null
}

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps each layer of the code from importing the layers it must not.' },
    schema: [
      {
        type: 'object',
        properties: {
          aliases: { type: 'object', additionalProperties: { type: 'string' } },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                dir: { type: 'string' },
                forbid: { type: 'array', items: { type: 'string' } },
                only: { type: 'array', items: { type: 'string' } },
                noNode: { type: 'boolean' },
                why: { type: 'string' },
              },
              required: ['dir', 'why'],
              additionalProperties: false,
            },
          },
        },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: { breach: "{{dir}} must not import {{what}} ('{{source}}'): {{why}}" },
  },
  create(context) {
    const root = context.cwd
    const file = posix(relative(root, context.filename))
    const { layers: all, aliases = {} } = context.options[0]
    const mine = all.filter((layer) => inside(file, layer.dir))
    if (mine.length === 0) return {}
    /** @param {import('estree').Node & { source?: unknown }} node */
    const check = (node) => {
      const source = node.source
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return
      const to = target(source.value, context.filename, root, aliases)
      if (to === null) return
      for (const layer of mine) {
        const what = breach(layer, to)
        if (what) {
          context.report({
            node,
            messageId: 'breach',
            data: { dir: layer.dir, what, source: source.value, why: layer.why },
          })
        }
      }
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    }
  },
}

export default { rules: { layers } }
