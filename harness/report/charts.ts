import type { LatencyMeasurement, Measurement, RateMeasurement } from '../vocabulary/measurement';

/*
 * The capacity pictures of the HTML reports: what a capacity case measured (vocabulary/measurement.ts)
 * drawn as inline SVG by a script in the page (CHART_SCRIPT, styled by CHART_STYLE), so the report
 * stays one file with no external assets. results.json and matrix.json keep the raw series; the
 * page gets them thinned (forPage) so that a ramp of 10,000 steps does not make a page of megabytes.
 */

/** At most this many points of a series reach the page: more than a chart 560 pixels wide can show. */
export const MAX_DRAWN_POINTS = 400;

/** The measurements as the page draws them: each series at most MAX_DRAWN_POINTS long. */
export function forPage(measurements: readonly Measurement[]): Measurement[] {
  return measurements.map((m) => {
    switch (m.kind) {
      case 'ramp':
        return { ...m, series: keepExtremes(m.series, (p) => p.open, MAX_DRAWN_POINTS) };
      case 'rate':
        return { ...m, series: sumIntervals(m.series, MAX_DRAWN_POINTS) };
      case 'latency':
        return { ...m, percentiles: keepNines(m.percentiles, MAX_DRAWN_POINTS) };
      case 'throughput':
        return m;
    }
  });
}

/**
 * Keeps the first and last points and, of each run of points in between, the lowest and the
 * highest (in their order): the outline of a level over time, drops and peaks included.
 */
function keepExtremes<T>(series: readonly T[], value: (point: T) => number, max: number): T[] {
  if (series.length <= max) return [...series];
  const inner = series.slice(1, -1);
  const buckets = Math.floor((max - 2) / 2);
  const size = Math.ceil(inner.length / buckets);
  const kept: T[] = [series[0]];
  for (let start = 0; start < inner.length; start += size) {
    const bucket = inner.slice(start, start + size);
    let low = 0;
    let high = 0;
    bucket.forEach((point, i) => {
      if (value(point) < value(bucket[low])) low = i;
      if (value(point) > value(bucket[high])) high = i;
    });
    for (const i of low === high ? [low] : [Math.min(low, high), Math.max(low, high)]) kept.push(bucket[i]);
  }
  kept.push(series[series.length - 1]);
  return kept;
}

/** Merges neighbouring intervals of a count per interval: the totals, hence the rate, stay true. */
function sumIntervals(series: RateMeasurement['series'], max: number): RateMeasurement['series'] {
  if (series.length <= max) return [...series];
  const size = Math.ceil(series.length / max);
  const merged: RateMeasurement['series'] = [];
  for (let start = 0; start < series.length; start += size) {
    const bucket = series.slice(start, start + size);
    merged.push({ atMs: bucket[bucket.length - 1].atMs, completed: bucket.reduce((sum, p) => sum + p.completed, 0) });
  }
  return merged;
}

/** The percentiles the axis marks (and the tables list): always kept. */
const MARKED_PERCENTILES = [50, 90, 99, 99.9, 99.99, 99.999];

/** Every n-th point of a percentile curve, the marked percentiles and the last point kept. */
function keepNines(curve: LatencyMeasurement['percentiles'], max: number): LatencyMeasurement['percentiles'] {
  if (curve.length <= max) return [...curve];
  const every = Math.ceil(curve.length / (max - MARKED_PERCENTILES.length - 1));
  return curve.filter((point, i) => i % every === 0 || i === curve.length - 1 || MARKED_PERCENTILES.includes(point.p));
}

export const CHART_STYLE = `
  .measurements { display: flex; flex-direction: column; gap: 1rem; margin: .4rem 0; }
  .measurement { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
  .measurement h4 { width: 100%; margin: 0; }
  svg.chart { font: 11px system-ui, sans-serif; background: #fff; border: 1px solid #eaeef2; }
  svg.chart .chart-title { font-weight: 600; font-size: 12px; }
  svg.chart .grid { stroke: #eaeef2; }
  svg.chart .axis { stroke: #57606a; }
  svg.chart .tick, svg.chart .axis-label { fill: #57606a; }
  svg .series { fill: none; stroke: #0969da; stroke-width: 1.5; }
  svg .point { fill: #0969da; }
  svg .target-line { stroke: #8250df; stroke-dasharray: 5 3; }
  svg .target-label { fill: #8250df; }
  svg .break-marker line { stroke: #cf222e; stroke-dasharray: 3 2; }
  svg .break-marker circle { fill: #cf222e; }
  svg .break-marker text { fill: #cf222e; font-weight: 600; }
  svg .bar.verified { fill: #2da44e; } svg .bar.unverified { fill: #cf222e; }
  svg .bar-value.unverified { fill: #cf222e; font-weight: 600; } svg .bar-value.inside { fill: #fff; }
  table.numbers { border-collapse: collapse; font-size: 12px; }
  table.numbers th, table.numbers td { border: 1px solid #d0d7de; padding: .15rem .5rem; text-align: left; }
  table.numbers td.n { text-align: right; font-variant-numeric: tabular-nums; }
  svg.spark { vertical-align: middle; }
`;

/*
 * The page's drawing code (plain browser JavaScript, needs the pages' `el`): measurementsNode(list)
 * makes a case's charts with their numbers, sparkline(m) and headline(m) a matrix cell's.
 * Every coordinate goes through `at`, which rounds it and turns anything not finite into 0, so a
 * malformed measurement draws wrong but never writes NaN into the page.
 */
export const CHART_SCRIPT = `
const SVG_NS = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, ...children) => {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const child of children) node.append(child);
  return node;
};
const at = (v) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : 0);
const finite = (v) => (Number.isFinite(v) ? v : 0);

const format = {
  count: (n) => Math.round(finite(n)).toLocaleString('en-US'),
  // Three digits at most: 0.84 ms, 12.5 ms, 1,250 ms.
  ms: (ms) => { ms = finite(ms); return (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : format.count(ms)) + ' ms'; },
  seconds: (ms) => { const s = finite(ms) / 1000; return (s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : format.count(s)) + ' s'; },
  perSecond: (n) => { n = finite(n); return (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : format.count(n)) + '/s'; },
  // Decimal units as network speeds are given: 1.2 Gbit/s, 940 Mbit/s.
  bits: (bps) => scaled(bps, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'], 1000),
  bytes: (b) => scaled(b, ['B', 'KiB', 'MiB', 'GiB', 'TiB'], 1024),
  percent: (p) => String(p) + '%',
};
function scaled(value, units, step) {
  let v = finite(value);
  let i = 0;
  while (v >= step * 0.9995 && i < units.length - 1) { v /= step; i++; }
  return (i === 0 || v >= 10 ? format.count(v) : v.toFixed(1)) + ' ' + units[i];
}

// Tick values 1, 2 or 5 times a power of ten apart, from 0 to at least max.
function niceTicks(max, count = 5) {
  max = finite(max) > 0 ? max : 1;
  const raw = max / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

const BREAK_HOW = {
  refused: 'connection refused',
  reset: 'connection reset',
  timeout: 'timed out',
  'emfile-harness': "EMFILE (sockspec's fd limit)",
  'emfile-target': "EMFILE (target's fd limit)",
  ports: 'out of ephemeral ports',
  other: 'error',
};

// A chart's frame: title, plot area, grid, ticks and axis labels; x and y map values to pixels.
function frame({ kind, title, xLabel, yLabel, xMax, yMax, xTicks, yTicks, xPos = (v) => v, height = 240, left = 64 }) {
  const W = 560, T = 28, R = 36, B = 44, H = height;
  const area = { left, top: T, width: W - left - R, height: H - T - B };
  const xRange = finite(xPos(xMax)) || 1;
  const x = (v) => at(area.left + (finite(xPos(v)) / xRange) * area.width);
  const y = (v) => at(area.top + area.height - (finite(v) / (finite(yMax) || 1)) * area.height);
  const chart = svg('svg', { class: 'chart chart-' + kind, width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title });
  chart.append(svg('text', { class: 'chart-title', x: area.left, y: 16 }, title));
  chart.append(svg('rect', { class: 'plot-area', x: area.left, y: area.top, width: area.width, height: area.height, fill: 'none' }));
  for (const tick of yTicks) {
    chart.append(svg('line', { class: 'grid', x1: area.left, x2: area.left + area.width, y1: y(tick.value), y2: y(tick.value) }));
    chart.append(svg('text', { class: 'tick y-tick', x: area.left - 6, y: y(tick.value) + 4, 'text-anchor': 'end' }, tick.label));
  }
  for (const tick of xTicks) {
    chart.append(svg('line', { class: 'axis', x1: x(tick.value), x2: x(tick.value), y1: area.top + area.height, y2: area.top + area.height + 4 }));
    chart.append(svg('text', { class: 'tick x-tick', x: x(tick.value), y: area.top + area.height + 16, 'text-anchor': 'middle' }, tick.label));
  }
  chart.append(svg('line', { class: 'axis', x1: area.left, x2: area.left + area.width, y1: area.top + area.height, y2: area.top + area.height }));
  chart.append(svg('line', { class: 'axis', x1: area.left, x2: area.left, y1: area.top, y2: area.top + area.height }));
  chart.append(svg('text', { class: 'axis-label x-label', x: area.left + area.width / 2, y: H - 6, 'text-anchor': 'middle' }, xLabel));
  if (yLabel) chart.append(svg('text', { class: 'axis-label y-label', transform: 'translate(12 ' + (area.top + area.height / 2) + ') rotate(-90)', 'text-anchor': 'middle' }, yLabel));
  return { chart, x, y, area };
}

const line = (points, x, y) => svg('polyline', { class: 'series', points: points.map(([px, py]) => x(px) + ',' + y(py)).join(' ') });
const timeTicks = (maxMs) => niceTicks(maxMs / 1000).map((s) => ({ value: s * 1000, label: String(+s.toPrecision(6)) }));
const countTicks = (max) => niceTicks(max).map((v) => ({ value: v, label: format.count(v) }));

// Where a ramp broke: the first moment it reached the count it broke after (its peak if it never did).
function breakPoint(m) {
  const reached = m.series.find((p) => p.open >= m.broke.after);
  return reached || m.series.reduce((best, p) => (p.open > best.open ? p : best), m.series[0] || { atMs: 0, open: 0 });
}

function rampChart(m) {
  const maxMs = Math.max(finite(m.durationMs), ...m.series.map((p) => p.atMs));
  const yTicks = countTicks(Math.max(m.target, ...m.series.map((p) => p.open)));
  const f = frame({ kind: 'ramp', title: m.label + ': held ' + format.count(m.held) + ' of ' + format.count(m.target), xLabel: 'time (s)', yLabel: 'open connections', xMax: maxMs, yMax: yTicks[yTicks.length - 1].value, xTicks: timeTicks(maxMs), yTicks });
  const right = f.area.left + f.area.width;
  f.chart.append(svg('line', { class: 'target-line', x1: f.area.left, x2: right, y1: f.y(m.target), y2: f.y(m.target) }));
  f.chart.append(svg('text', { class: 'target-label', x: right - 4, y: f.y(m.target) - 4, 'text-anchor': 'end' }, 'target ' + format.count(m.target)));
  if (m.series.length) f.chart.append(line(m.series.map((p) => [p.atMs, p.open]), f.x, f.y));
  if (m.broke) {
    const p = breakPoint(m);
    const cx = f.x(p.atMs), cy = f.y(p.open);
    // The label on the side with more room, above the marker unless it is near the top.
    const anchor = cx < f.area.left + f.area.width * 0.55 ? 'start' : 'end';
    const tx = anchor === 'start' ? cx + 6 : cx - 6;
    const ty = cy > f.area.top + 40 ? cy - 22 : cy + 16;
    f.chart.append(svg('g', { class: 'break-marker', 'data-after': m.broke.after, 'data-how': m.broke.how },
      svg('line', { x1: cx, x2: cx, y1: f.area.top, y2: f.area.top + f.area.height }),
      svg('circle', { cx, cy, r: 4 }),
      svg('text', { x: tx, y: ty, 'text-anchor': anchor }, svg('tspan', { x: tx }, 'broke after ' + format.count(m.broke.after)), svg('tspan', { x: tx, dy: 13 }, BREAK_HOW[m.broke.how]))));
  }
  return f.chart;
}

// Connections per second over time: each interval's count over its length (an interval ends at its atMs).
function ratePoints(m) {
  let previous = 0;
  return m.series.map((p) => {
    const interval = p.atMs - previous;
    previous = p.atMs;
    return [p.atMs, interval > 0 ? (p.completed * 1000) / interval : 0];
  });
}

function rateChart(m) {
  const points = ratePoints(m);
  const maxMs = Math.max(finite(m.durationMs), ...m.series.map((p) => p.atMs));
  const yTicks = niceTicks(Math.max(m.perSecond, ...points.map((p) => p[1]))).map((v) => ({ value: v, label: format.count(v) }));
  const f = frame({ kind: 'rate', title: m.label + ': ' + format.perSecond(m.perSecond) + ' on average', xLabel: 'time (s)', yLabel: 'connections per second', xMax: maxMs, yMax: yTicks[yTicks.length - 1].value, xTicks: timeTicks(maxMs), yTicks });
  const right = f.area.left + f.area.width;
  f.chart.append(svg('line', { class: 'target-line', x1: f.area.left, x2: right, y1: f.y(m.perSecond), y2: f.y(m.perSecond) }));
  f.chart.append(svg('text', { class: 'target-label', x: right - 4, y: f.y(m.perSecond) - 4, 'text-anchor': 'end' }, 'average ' + format.perSecond(m.perSecond)));
  if (points.length) f.chart.append(line(points, f.x, f.y));
  return f.chart;
}

// The percentile axis counts nines, as HdrHistogram's plots do: 90% is 1, 99% is 2, 99.9% is 3.
const nines = (p) => -Math.log10(1 - p / 100);
const MARKED = [50, 90, 99, 99.9, 99.99, 99.999];
const drawable = (m) => m.percentiles.filter((q) => q.p >= 0 && q.p < 100);

function latencyChart(m) {
  const curve = drawable(m);
  const top = Math.max(4, Math.ceil(Math.max(0, ...curve.map((q) => nines(q.p))) - 1e-9));
  const xTicks = MARKED.filter((p) => nines(p) <= top + 1e-9).map((p) => ({ value: p, label: format.percent(p) }));
  const yMax = Math.max(...curve.map((q) => q.ms), 0);
  const step = niceTicks(yMax);
  const decimals = Math.min(3, Math.max(0, -Math.floor(Math.log10(step[1]))));
  const yTicks = step.map((v) => ({ value: v, label: decimals ? v.toFixed(decimals) : format.count(v) }));
  const p99 = curve.find((q) => q.p >= 99);
  const f = frame({ kind: 'latency', title: m.label + (p99 ? ': p' + p99.p + ' ' + format.ms(p99.ms) : '') + ' at ' + format.perSecond(m.offeredPerSecond) + ', ' + format.count(m.concurrency) + ' ' + (m.concurrencyOf || 'clients'), xLabel: 'percentile (log scale of nines)', yLabel: (m.timed || 'round trip') + ' (ms)', xMax: 100 * (1 - Math.pow(10, -top)), yMax: step[step.length - 1], xTicks, yTicks, xPos: nines });
  if (curve.length) f.chart.append(line(curve.map((q) => [q.p, q.ms]), f.x, f.y));
  for (const q of curve.filter((q) => MARKED.includes(q.p))) f.chart.append(svg('circle', { class: 'point', cx: f.x(q.p), cy: f.y(q.ms), r: 3, 'data-p': q.p }));
  f.chart.append(svg('text', { class: 'tick max-label', x: f.area.left + 6, y: f.area.top + 12 }, 'max ' + format.ms(m.maxMs)));
  return f.chart;
}

const streamName = (s, i) => 'stream ' + (i + 1) + ' · ' + s.direction;

function throughputChart(m) {
  const row = 22;
  const xTicks = niceTicks(Math.max(...m.streams.map((s) => s.bitsPerSecond), 0), 4);
  const f = frame({ kind: 'throughput', title: m.label + ': ' + format.bits(totalBits(m)) + ' in ' + m.streams.length + ' stream' + (m.streams.length === 1 ? '' : 's'), xLabel: 'throughput (bit/s)', xMax: xTicks[xTicks.length - 1], yMax: 1, xTicks: xTicks.map((v) => ({ value: v, label: format.bits(v) })), yTicks: [], height: 28 + 44 + 8 + row * m.streams.length, left: 110 });
  m.streams.forEach((s, i) => {
    const top = f.area.top + 4 + i * row;
    const state = s.verified ? 'verified' : 'unverified';
    const width = at(f.x(s.bitsPerSecond) - f.area.left);
    f.chart.append(svg('text', { class: 'tick bar-label', x: f.area.left - 6, y: top + 13, 'text-anchor': 'end' }, streamName(s, i)));
    f.chart.append(svg('rect', { class: 'bar ' + state, x: f.area.left, y: top, width, height: row - 6 }));
    // The value goes inside a long bar, where there is room for it.
    const inside = width > f.area.width * 0.6;
    f.chart.append(svg('text', { class: 'bar-value ' + state + (inside ? ' inside' : ''), x: f.area.left + width + (inside ? -4 : 4), y: top + 13, 'text-anchor': inside ? 'end' : 'start' }, format.bits(s.bitsPerSecond) + (s.verified ? '' : ' NOT verified')));
  });
  return f.chart;
}

const totalBits = (m) => m.streams.reduce((sum, s) => sum + s.bitsPerSecond, 0);

function numbersTable(rows, head) {
  const table = el('table', { class: 'numbers' });
  if (head) table.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))));
  table.append(el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c, i) => el(i ? 'td' : 'th', i ? { class: 'n' } : {}, c))))));
  return table;
}

// The table lists the marked percentiles; a curve without p99 among them (HdrHistogram's halving
// steps: 50, 75, 87.5, ...) has up to 12 of its own points listed instead, as they are.
function listedPercentiles(m) {
  const marked = m.percentiles.filter((q) => MARKED.includes(q.p));
  if (marked.some((q) => q.p === 99)) return marked;
  const every = Math.ceil(m.percentiles.length / 12);
  return m.percentiles.filter((q, i) => i % every === 0 || i === m.percentiles.length - 1);
}

function numbersOf(m) {
  switch (m.kind) {
    case 'ramp':
      return numbersTable([['target', format.count(m.target)], ['held (echo verified)', format.count(m.held)], ['broke after', m.broke ? format.count(m.broke.after) : 'did not break'], ...(m.broke ? [['how', BREAK_HOW[m.broke.how]], ['first error', m.broke.detail]] : []), ['ramp time', format.seconds(m.durationMs)]]);
    case 'rate':
      return numbersTable([['connections per second', format.perSecond(m.perSecond)], ['completed', format.count(m.completed)], ['failed', format.count(m.failed)], ['for', format.seconds(m.durationMs)]]);
    case 'latency':
      return numbersTable([['offered', format.perSecond(m.offeredPerSecond)], [m.concurrencyOf || 'clients', format.count(m.concurrency)], ['samples', format.count(m.samples)], ['errors', format.count(m.errors)], ...listedPercentiles(m).map((q) => ['p' + q.p, format.ms(q.ms)]), ['max', format.ms(m.maxMs)]]);
    case 'throughput':
      return numbersTable([...m.streams.map((s, i) => [streamName(s, i), format.bytes(s.bytes), format.seconds(s.durationMs), format.bits(s.bitsPerSecond), s.verified ? 'verified' : 'NOT verified']), ['total', format.bytes(m.streams.reduce((sum, s) => sum + s.bytes, 0)), '', format.bits(totalBits(m)), '']], ['stream', 'bytes', 'time', 'throughput', 'bytes checked']);
    default:
      return el('p', {}, 'a measurement of kind ' + m.kind + ' this report does not draw');
  }
}

const CHARTS = { ramp: rampChart, rate: rateChart, latency: latencyChart, throughput: throughputChart };

// A case's measurements: each one's chart with its numbers beside it.
function measurementsNode(measurements) {
  return el('div', { class: 'measurements' }, ...measurements.map((m) =>
    el('div', { class: 'measurement m-' + m.kind }, ...(CHARTS[m.kind] ? [CHARTS[m.kind](m)] : []), numbersOf(m))));
}

// The matrix's cells: a measurement's headline number and a chart the size of a word.
function headline(m) {
  switch (m.kind) {
    case 'ramp': return format.count(m.held) + ' / ' + format.count(m.target) + ' held' + (m.broke ? ': ' + BREAK_HOW[m.broke.how] : '');
    case 'rate': return format.perSecond(m.perSecond);
    case 'throughput': return format.bits(totalBits(m)) + (m.streams.every((s) => s.verified) ? '' : ' NOT verified');
    case 'latency': { const p99 = drawable(m).find((q) => q.p >= 99); return p99 ? 'p' + p99.p + ' ' + format.ms(p99.ms) : 'no p99'; }
    default: return '';
  }
}

// How far a measurement's sparkline reaches on each axis (x: time, nines or streams; y: its values).
function extent(m) {
  switch (m.kind) {
    case 'ramp': return { x: Math.max(m.durationMs, ...m.series.map((p) => p.atMs)), y: Math.max(m.target, ...m.series.map((p) => p.open)) };
    case 'rate': return { x: Math.max(...m.series.map((p) => p.atMs), 0), y: Math.max(...ratePoints(m).map((p) => p[1]), 0) };
    case 'latency': { const curve = drawable(m); return { x: Math.max(4, ...curve.map((q) => nines(q.p))), y: Math.max(...curve.map((q) => q.ms), 0) }; }
    case 'throughput': return { x: m.streams.length, y: Math.max(...m.streams.map((s) => s.bitsPerSecond), 0) };
    default: return { x: 0, y: 0 };
  }
}

// A chart the size of a word, on the scale of the measurements it sits beside (peers: the same
// measurement on the other targets), so that heights compare across the matrix's rows.
function sparkline(m, peers = [m]) {
  const W = 120, H = 28;
  const spark = svg('svg', { class: 'spark spark-' + m.kind, width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': m.label });
  const reach = peers.map(extent);
  const xMax = Math.max(...reach.map((e) => e.x)) || 1;
  const yMax = Math.max(...reach.map((e) => e.y)) || 1;
  const x = (v) => at(1 + (finite(v) / xMax) * (W - 2));
  const y = (v) => at(H - 1 - (finite(v) / yMax) * (H - 2));
  const trace = (points) => points.length && spark.append(line(points, x, y));
  if (m.kind === 'ramp') {
    trace(m.series.map((p) => [p.atMs, p.open]));
    spark.append(svg('line', { class: 'target-line', x1: 0, x2: W, y1: y(m.target), y2: y(m.target) }));
    if (m.broke) { const p = breakPoint(m); spark.append(svg('g', { class: 'break-marker' }, svg('circle', { cx: x(p.atMs), cy: y(p.open), r: 2.5 }))); }
  } else if (m.kind === 'rate') {
    trace(ratePoints(m));
  } else if (m.kind === 'latency') {
    trace(drawable(m).map((q) => [nines(q.p), q.ms]));
  } else if (m.kind === 'throughput') {
    const width = (W - 2) / xMax;
    m.streams.forEach((s, i) => {
      const h = at((finite(s.bitsPerSecond) / yMax) * (H - 2));
      spark.append(svg('rect', { class: 'bar ' + (s.verified ? 'verified' : 'unverified'), x: at(1 + i * width), y: at(H - 1 - h), width: at(Math.max(width - 1, 1)), height: h }));
    });
  }
  return spark;
}
`;
