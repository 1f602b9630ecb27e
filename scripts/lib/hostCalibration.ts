/**
 * How fast this machine's cores multiply right now: the engine's fused multiply-add product kernel
 * (resources/wasm/gemm.wasm) on a fixed 256 × 576 × 64 product, whose operands fit in the L2 cache,
 * on one thread alone, then on two threads started together. On a shared host neither figure is
 * fixed, and every figure of a bench moves with them; printed beside them, they say which host a
 * run met.
 */
import { Worker } from 'node:worker_threads'
import { simdWasmPath } from '../../src/main/engine/kernels/simd/moduleFiles'

const M = 256
const K = 576
const N = 64
const REPS = 320

/** A worker that compiles the kernel, says 'ready', and on 'go' posts its GFLOP/s. */
const source = `
const { parentPort, workerData } = require('node:worker_threads')
const bytes = require('node:fs').readFileSync(workerData)
const memory = new WebAssembly.Memory({ initial: 160 })
const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports
const f = new Float32Array(memory.buffer)
for (let i = 0; i < f.length; i += 7) f[i] = (i % 13) / 13
const a = 1024, b = a + ${M * K * 4}, c = b + ${K * N * 4}
const run = () => gemm(a, b, c, ${M}, ${N}, ${K}, ${K}, 1, ${N}, ${N}, 0, 0)
for (let i = 0; i < 5; i++) run()
parentPort.once('message', () => {
  const t0 = performance.now()
  for (let i = 0; i < ${REPS}; i++) run()
  parentPort.postMessage((2 * ${M * N * K} * ${REPS}) / ((performance.now() - t0) / 1000) / 1e9)
})
parentPort.postMessage('ready')
`

async function together(threads: number): Promise<number[]> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(source, { eval: true, workerData: simdWasmPath('gemm') }),
  )
  const next = (w: Worker) =>
    new Promise<unknown>((resolve, reject) => {
      w.once('message', resolve)
      w.once('error', reject)
    })
  try {
    await Promise.all(workers.map(next))
    const results = workers.map(next)
    for (const w of workers) w.postMessage('go')
    return (await Promise.all(results)) as number[]
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

export interface HostCalibration {
  /** GFLOP/s of one thread alone. */
  one: number
  /** GFLOP/s of each of two threads running at once. */
  two: number[]
}

/** The calibration, or null where the kernel cannot run (no relaxed SIMD in this runtime). */
export async function calibrateHost(): Promise<HostCalibration | null> {
  try {
    const [one] = await together(1)
    return { one: one as number, two: await together(2) }
  } catch {
    return null
  }
}

export function describeCalibration(c: HostCalibration | null): string {
  if (!c) return 'host calibration: none (no relaxed SIMD in this runtime)'
  return (
    `host calibration (fused multiply-add product): one thread ${c.one.toFixed(1)} GFLOP/s; ` +
    `two at once ${c.two.map((x) => x.toFixed(1)).join(' + ')} GFLOP/s`
  )
}
