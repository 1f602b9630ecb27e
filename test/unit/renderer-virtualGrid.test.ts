import { describe, expect, it } from 'vitest'
import {
  cellPosition,
  gridLayout,
  pagesForRange,
  totalRows,
  visibleRange,
} from '../../src/renderer/src/lib/virtualGrid'

describe('gridLayout', () => {
  it('fits as many minimum-width columns as the width allows and stretches them to fill it', () => {
    const layout = gridLayout(1000, 112, 6)
    expect(layout.columns).toBe(8)
    // 8 cells and 7 gaps exactly fill the width.
    expect(layout.cellSize * 8 + 6 * 7).toBeCloseTo(1000)
    expect(layout.rowHeight).toBeCloseTo(layout.cellSize + 6)
  })

  it('keeps one column however narrow the grid is', () => {
    expect(gridLayout(50, 112, 6).columns).toBe(1)
    expect(gridLayout(0, 112, 6).columns).toBe(1)
    expect(gridLayout(-20, 112, 6).cellSize).toBeGreaterThan(0)
  })
})

describe('visibleRange', () => {
  const base = { viewportHeight: 500, rowHeight: 100, columns: 10, total: 200_000, overscan: 0 }

  it('covers exactly the rows intersecting the viewport', () => {
    const r = visibleRange({ ...base, scrollTop: 0 })
    expect(r).toEqual({ firstRow: 0, endRow: 5, start: 0, end: 50 })
    const mid = visibleRange({ ...base, scrollTop: 1050 })
    // Row 10 is half hidden at the top; row 15 peeks in at the bottom.
    expect(mid.firstRow).toBe(10)
    expect(mid.endRow).toBe(16)
    expect(mid.start).toBe(100)
    expect(mid.end).toBe(160)
  })

  it('keeps the DOM small for a 200k-image dataset anywhere in the scroll', () => {
    const rows = totalRows(200_000, 10)
    for (const scrollTop of [0, 123_456, (rows - 5) * 100, rows * 100 + 5000]) {
      const r = visibleRange({ ...base, scrollTop, overscan: 3 })
      expect(r.end - r.start).toBeLessThanOrEqual((5 + 1 + 6) * 10)
      expect(r.end).toBeLessThanOrEqual(200_000)
      expect(r.start).toBeGreaterThanOrEqual(0)
    }
  })

  it('widens by the overscan rows without leaving the dataset', () => {
    const r = visibleRange({ ...base, scrollTop: 1000, overscan: 2 })
    expect(r.firstRow).toBe(8)
    expect(r.endRow).toBe(17)
    const top = visibleRange({ ...base, scrollTop: 0, overscan: 2 })
    expect(top.firstRow).toBe(0)
  })

  it('ends the last row at the last item', () => {
    const r = visibleRange({ ...base, total: 95, scrollTop: 0, viewportHeight: 10_000 })
    expect(r.endRow).toBe(10)
    expect(r.end).toBe(95)
  })

  it('is empty for an empty result', () => {
    expect(visibleRange({ ...base, total: 0, scrollTop: 0 })).toEqual({
      firstRow: 0,
      endRow: 0,
      start: 0,
      end: 0,
    })
  })
})

describe('pagesForRange', () => {
  it('lists the aligned page offsets holding the range', () => {
    expect(pagesForRange(0, 50, 200)).toEqual([0])
    expect(pagesForRange(190, 410, 200)).toEqual([0, 200, 400])
    expect(pagesForRange(400, 400, 200)).toEqual([])
  })
})

describe('cellPosition', () => {
  it('places cells row by row', () => {
    const layout = { columns: 4, cellSize: 100, rowHeight: 106 }
    expect(cellPosition(0, layout, 6)).toEqual({ top: 0, left: 0 })
    expect(cellPosition(5, layout, 6)).toEqual({ top: 106, left: 106 })
  })
})
