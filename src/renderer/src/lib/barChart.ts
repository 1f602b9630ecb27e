/**
 * The frame of the studio's horizontal bar charts of attributes (the dataset's frequencies, a
 * selection's make-up): one band per row, the value axis on top with grid lines, each row a group
 * the chart fills with its own bars. D3 owns the SVG's contents; it is redrawn whole.
 */
import { axisTop } from 'd3-axis'
import { scaleBand, type ScaleBand, type ScaleLinear } from 'd3-scale'
import { select, type Selection } from 'd3-selection'

export interface BarChartMargin {
  top: number
  right: number
  bottom: number
  left: number
}

export interface BarChartFrame<R> {
  row: Selection<SVGGElement, R, SVGGElement, unknown>
  y: ScaleBand<string>
}

/** The plot's width inside the margins, never so small that the bars vanish. */
export function plotWidth(totalWidth: number, margin: BarChartMargin): number {
  return Math.max(40, totalWidth - margin.left - margin.right)
}

export function drawBarFrame<R extends { name: string }>(
  target: SVGSVGElement,
  o: {
    width: number
    rows: readonly R[]
    bar: number
    margin: BarChartMargin
    padding: number
    x: ScaleLinear<number, number>
    ticks: number
    tickFormat: (value: number) => string
    rowClass: (row: R) => string
  },
): BarChartFrame<R> {
  const y = scaleBand<string>()
    .domain(o.rows.map((r) => r.name))
    .range([0, o.rows.length * o.bar])
    .paddingInner(o.padding)
  const root = select(target)
  root.selectAll('*').remove()
  root.attr('width', o.width).attr('height', o.margin.top + o.rows.length * o.bar + o.margin.bottom)
  const g = root.append('g').attr('transform', `translate(${o.margin.left},${o.margin.top})`)
  g.append('g')
    .attr('class', 'axis')
    .call(
      axisTop(o.x)
        .ticks(o.ticks)
        .tickFormat((v) => o.tickFormat(Number(v)))
        .tickSize(-o.rows.length * o.bar),
    )
    .call((a) => a.select('.domain').remove())
  const row = g
    .selectAll<SVGGElement, R>('g.row')
    .data(o.rows)
    .join('g')
    .attr('class', (d) => `row ${o.rowClass(d)}`)
    .attr('transform', (d) => `translate(0,${y(d.name) ?? 0})`)
  return { row, y }
}

/** Each row's name, right-aligned against the plot. */
export function appendRowNames<R>({ row, y }: BarChartFrame<R>, label: (row: R) => string): void {
  row
    .append('text')
    .attr('class', 'name')
    .attr('x', -8)
    .attr('y', y.bandwidth() / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .text(label)
}
