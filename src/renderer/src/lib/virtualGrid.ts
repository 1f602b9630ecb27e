/**
 * Geometry of the virtualized thumbnail grid. Pure, so scrolling 200k images is provably cheap: the
 * page renders only the rows this says are visible, and fetches only the pages they fall in.
 */

export interface GridLayout {
  columns: number
  /** Width (and height) of one square cell, px. */
  cellSize: number
  /** Vertical distance between the tops of two rows, px. */
  rowHeight: number
}

/** As many columns of at least `minCell` px as fit `width`, the cells then stretched to fill it. */
export function gridLayout(width: number, minCell: number, gap: number): GridLayout {
  const usable = Math.max(0, width)
  const columns = Math.max(1, Math.floor((usable + gap) / (minCell + gap)))
  const cellSize = Math.max(1, (usable - gap * (columns - 1)) / columns)
  return { columns, cellSize, rowHeight: cellSize + gap }
}

export interface VisibleRange {
  firstRow: number
  /** Exclusive. */
  endRow: number
  /** Index of the first item rendered. */
  start: number
  /** Exclusive index after the last item rendered. */
  end: number
}

export interface RangeInput {
  scrollTop: number
  viewportHeight: number
  rowHeight: number
  columns: number
  total: number
  /** Extra rows rendered above and below the viewport so fast scrolling shows no gaps. */
  overscan?: number
}

export function totalRows(total: number, columns: number): number {
  return columns > 0 ? Math.ceil(Math.max(0, total) / columns) : 0
}

/** The rows (and item indices) that intersect the viewport, widened by `overscan` rows. */
export function visibleRange(input: RangeInput): VisibleRange {
  const { scrollTop, viewportHeight, rowHeight, columns, total } = input
  const overscan = input.overscan ?? 2
  const rows = totalRows(total, columns)
  if (rows === 0 || rowHeight <= 0) return { firstRow: 0, endRow: 0, start: 0, end: 0 }
  const top = Math.max(0, scrollTop)
  const firstVisible = Math.floor(top / rowHeight)
  const lastVisible = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight)
  const firstRow = Math.min(rows, Math.max(0, firstVisible - overscan))
  const endRow = Math.min(rows, Math.max(firstRow, lastVisible + overscan))
  return {
    firstRow,
    endRow,
    start: firstRow * columns,
    end: Math.min(total, endRow * columns),
  }
}

/** Offsets of the fixed-size pages that hold items [start, end). */
export function pagesForRange(start: number, end: number, pageSize: number): number[] {
  if (end <= start || pageSize <= 0) return []
  const offsets: number[] = []
  const first = Math.floor(start / pageSize) * pageSize
  for (let offset = first; offset < end; offset += pageSize) offsets.push(offset)
  return offsets
}

/** Where cell `index` sits inside the spacer, px. */
export function cellPosition(
  index: number,
  layout: GridLayout,
  gap: number,
): { top: number; left: number } {
  const row = Math.floor(index / layout.columns)
  const col = index % layout.columns
  return { top: row * layout.rowHeight, left: col * (layout.cellSize + gap) }
}
