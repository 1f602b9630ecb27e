import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import type * as Webgpu from 'webgpu'

/** The GPU adapter a webgpu run uses, as the run stores and the studio shows it. */
export interface GpuAdapter {
  name: string
  vendor: string
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, WARP): correct, never faster than wasm. */
  software: boolean
  /** How Dawn reached it: its default API for the platform, or OpenGL ES (compatibility mode). */
  api: 'default' | 'opengles'
}

type DawnModule = typeof Webgpu

interface Found {
  gpu: GPU
  adapter: GPUAdapter
  info: GpuAdapter
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i

/** Name, vendor and software flag from what Dawn reports (fields differ between its backends). */
export function describeAdapter(
  info: Partial<Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>> & {
    isFallbackAdapter?: boolean
  },
  api: GpuAdapter['api'],
): GpuAdapter {
  const clean = (s: string | undefined) => (s ?? '').replace(/[-\s]+$/, '').trim()
  const fields = [info.device, info.architecture, info.description].map(clean)
  const name = fields.find((f) => f.length > 0) ?? 'unknown adapter'
  const software =
    info.isFallbackAdapter === true ||
    [info.vendor, ...fields].some((f) => f !== undefined && SOFTWARE.test(f))
  return { name, vendor: clean(info.vendor) || 'unknown', software, api }
}

let dawn: Promise<DawnModule> | null = null
let found: Promise<Found> | null = null
let probed: Promise<GpuAdapter> | null = null
let registered: GpuAdapter | null = null

interface Attempt {
  flags: string[]
  level: 'core' | 'compatibility'
  api: GpuAdapter['api']
}

/**
 * Where Dawn looks, in order: its platform default (Metal, D3D12, Vulkan) at the core feature level,
 * then compatibility mode, then on Linux OpenGL ES, which is what works on a machine with only
 * Mesa's llvmpipe (Dawn's Vulkan backend rejects lavapipe).
 */
function attempts(): Attempt[] {
  const list: Attempt[] = [
    { flags: [], level: 'core', api: 'default' },
    { flags: [], level: 'compatibility', api: 'default' },
  ]
  if (process.platform === 'linux') {
    list.push({ flags: ['backend=opengles'], level: 'compatibility', api: 'opengles' })
  }
  return list
}

function setEglPlatform(env: NodeJS.ProcessEnv): void {
  // Mesa's EGL needs no display this way; it matters only for the OpenGL ES path on Linux.
  if (process.platform === 'linux' && !env.EGL_PLATFORM) env.EGL_PLATFORM = 'surfaceless'
}

function dawnEntry(): string {
  return createRequire(import.meta.url).resolve('webgpu')
}

async function loadDawn(): Promise<DawnModule> {
  setEglPlatform(process.env)
  const mod = (await import(/* @vite-ignore */ pathToFileURL(dawnEntry()).href)) as DawnModule
  for (const [key, value] of Object.entries(mod.globals as Record<string, unknown>)) {
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, configurable: true })
  }
  return mod
}

function noAdapter(): Error {
  return new Error(
    'Dawn found no GPU adapter' +
      (process.platform === 'linux'
        ? ' (no Vulkan driver; for OpenGL ES install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)'
        : ''),
  )
}

/** The first adapter of `list` in this process (Dawn then stays loaded here). */
async function findAdapter(list: Attempt[]): Promise<Found> {
  const mod = await (dawn ??= loadDawn())
  for (const a of list) {
    const gpu = mod.create(a.flags)
    const adapter = await gpu.requestAdapter({
      featureLevel: a.level,
      powerPreference: 'high-performance',
    } as GPURequestAdapterOptions)
    if (adapter) return { gpu, adapter, info: describeAdapter(adapter.info, a.api) }
  }
  throw noAdapter()
}

// Run by `node --input-type=module -e`: the first adapter's info as one JSON line, or null.
const PROBE = `
const [entry, list] = process.argv.slice(-2)
const { create } = await import(entry)
for (const a of JSON.parse(list)) {
  const adapter = await create(a.flags).requestAdapter({ featureLevel: a.level, powerPreference: 'high-performance' })
  if (!adapter) continue
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info
  process.stdout.write(JSON.stringify({ api: a.api, info: { vendor, architecture, device, description, isFallbackAdapter } }) + '\\n')
  process.exit(0)
}
process.stdout.write('null\\n')
process.exit(0)
`

/**
 * The adapter webgpu would run on, found in a short-lived child process (cached): `auto` asks on
 * every start, and most machines end up elsewhere, so Dawn's start-up warnings and its native
 * threads stay out of the engine's own process until webgpu is actually chosen.
 */
export function probeWebgpu(): Promise<GpuAdapter> {
  probed ??= new Promise<GpuAdapter>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' }
    setEglPlatform(env)
    const args = ['--input-type=module', '-e', PROBE, pathToFileURL(dawnEntry()).href]
    execFile(
      process.execPath,
      [...args, JSON.stringify(attempts())],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? ''
        if (error || !line) {
          const why = stderr.split('\n').find((l) => l.trim() && !/^\s*(Warning|at )/.test(l))
          return reject(new Error(`Dawn could not start (${why?.trim() ?? error?.message})`))
        }
        const found = JSON.parse(line) as { api: GpuAdapter['api']; info: GPUAdapterInfo } | null
        if (!found) return reject(noAdapter())
        resolve(describeAdapter(found.info, found.api))
      },
    )
  })
  return probed
}

/**
 * Registers tfjs' webgpu backend under its own name (its kernels are registered under it) with a
 * factory that uses the adapter found above. The device asks for the adapter's own limits: the
 * defaults are too small for tfjs' 256-wide reduction pipelines, which then fail validation.
 */
export async function configureWebgpu(): Promise<GpuAdapter> {
  if (registered) return registered
  const api = await probeWebgpu().then(
    (a) => a.api,
    () => null,
  )
  // Straight to the API the probe found working (each miss costs Dawn a start-up).
  found ??= findAdapter(attempts().filter((a) => api === null || a.api === api))
  const { gpu, adapter, info } = await found
  // tfjs reads navigator.gpu; Node 22 defines navigator as a getter, so it must be redefined.
  const nav = (globalThis as { navigator?: Navigator }).navigator
  Object.defineProperty(globalThis, 'navigator', {
    value: {
      gpu,
      userAgent: nav?.userAgent ?? 'Node.js',
      hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
      language: nav?.language ?? 'en-US',
      platform: nav?.platform ?? process.platform,
    },
    configurable: true,
    writable: true,
  })
  const pkg = '@tensorflow/tfjs-backend-webgpu'
  const { WebGPUBackend } = (await import(/* @vite-ignore */ pkg)) as {
    WebGPUBackend: new (device: GPUDevice, info?: GPUAdapterInfo) => tf.KernelBackend
  }
  // Importing it registered its stock factory, which asks for a core adapter and may get none.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu')
  tf.registerBackend(
    'webgpu',
    async () => {
      const l = adapter.limits
      const device = await adapter.requestDevice({
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
          maxComputeWorkgroupSizeZ: l.maxComputeWorkgroupSizeZ,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
          maxBufferSize: l.maxBufferSize,
        },
      })
      return new WebGPUBackend(device, adapter.info)
    },
    // Below cpu's priority: the engine always sets its backend by name.
    0,
  )
  registered = info
  return info
}
