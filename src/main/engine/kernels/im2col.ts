/**
 * Pure im2col / col2im on NHWC float arrays. Turning a strided convolution's gradients into one large
 * matrix product is what lets the wasm backend's packed matmul do the heavy lifting.
 */

export interface ConvGeometry {
  batch: number
  inH: number
  inW: number
  inC: number
  outH: number
  outW: number
  outC: number
  kH: number
  kW: number
  strideH: number
  strideW: number
  padTop: number
  padLeft: number
}

/** Rows of the patch matrix: one per output pixel (batch·outH·outW). */
export function patchRows(g: ConvGeometry): number {
  return g.batch * g.outH * g.outW
}

/** Columns of the patch matrix: one per filter tap and input channel (kH·kW·inC). */
export function patchCols(g: ConvGeometry): number {
  return g.kH * g.kW * g.inC
}

/**
 * Writes the patch matrix, shape [batch·outH·outW, kH·kW·inC]: each row is one output pixel's
 * receptive field, copied as contiguous runs of inC channels (zeros outside the image).
 */
export function im2col(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g
  let o = 0
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky
          if (iy < 0 || iy >= inH) {
            out.fill(0, o, o + kW * inC)
            o += kW * inC
            continue
          }
          const rowBase = (n * inH + iy) * inW
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx
            if (ix < 0 || ix >= inW) {
              out.fill(0, o, o + inC)
              o += inC
              continue
            }
            let src = (rowBase + ix) * inC
            const end = o + inC
            while (o < end) out[o++] = x[src++] as number
          }
        }
      }
    }
  }
}

/**
 * Writes the transposed patch matrix, shape [kH·kW·inC, batch·outH·outW]: row k holds filter tap k's
 * input value under every output pixel. Built one output row at a time, so the input row it gathers
 * from stays in cache while every channel's run of outW values is written.
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g
  const rows = patchRows(g)
  // Output columns whose input column falls inside the image, per kx: [first, end).
  const first = new Int32Array(kW)
  const end = new Int32Array(kW)
  for (let kx = 0; kx < kW; kx++) {
    let lo = 0
    while (lo < outW && lo * strideW - padLeft + kx < 0) lo++
    let hi = outW
    while (hi > lo && (hi - 1) * strideW - padLeft + kx >= inW) hi--
    first[kx] = lo
    end[kx] = hi
  }
  const xStep = strideW * inC
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const p0 = (n * outH + oy) * outW
      for (let ky = 0; ky < kH; ky++) {
        const iy = oy * strideH - padTop + ky
        for (let kx = 0; kx < kW; kx++) {
          const rowBase = (ky * kW + kx) * inC * rows + p0
          if (iy < 0 || iy >= inH) {
            for (let ci = 0; ci < inC; ci++) {
              const r = rowBase + ci * rows
              out.fill(0, r, r + outW)
            }
            continue
          }
          const lo = first[kx] as number
          const hi = end[kx] as number
          const src0 = ((n * inH + iy) * inW + lo * strideW - padLeft + kx) * inC
          for (let ci = 0; ci < inC; ci++) {
            const r = rowBase + ci * rows
            if (lo > 0) out.fill(0, r, r + lo)
            let src = src0 + ci
            for (let ox = lo; ox < hi; ox++, src += xStep) out[r + ox] = x[src] as number
            if (hi < outW) out.fill(0, r + hi, r + outW)
          }
        }
      }
    }
  }
}

/**
 * Scatter-adds a patch matrix [batch·outH·outW, kH·kW·inC] back onto an NHWC image, the adjoint of
 * im2col: the gradient of a convolution with respect to its input.
 */
export function col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g
  const k = patchCols(g)
  dx.fill(0)
  let p = 0
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, p++) {
        const colBase = p * k
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - padTop + ky
          if (iy < 0 || iy >= inH) continue
          const rowBase = (n * inH + iy) * inW
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * strideW - padLeft + kx
            if (ix < 0 || ix >= inW) continue
            const d = (rowBase + ix) * inC
            const c = colBase + (ky * kW + kx) * inC
            for (let ci = 0; ci < inC; ci++) {
              dx[d + ci] = (dx[d + ci] as number) + (cols[c + ci] as number)
            }
          }
        }
      }
    }
  }
}

/** [rows, cols] → [cols, rows]. */
export function transpose2d(a: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[base + c] as number
  }
}
