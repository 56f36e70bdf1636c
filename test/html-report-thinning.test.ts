import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { forPage, MAX_DRAWN_POINTS } from '../harness/report/charts';
import { writeHtmlReport } from '../harness/report/html';
import { matrixOf, writeMatrix } from '../harness/report/matrix';
import { writeMatrixHtml } from '../harness/report/matrix-html';
import { writeResults } from '../harness/report/results-json';
import type { LatencyMeasurement, RampMeasurement, RateMeasurement } from '../harness/vocabulary/measurement';
import { tempDir } from './support/cli';
import { capacityResults, latencyCurve, rampHolding, rateSeries, throughput } from './support/measurements';

/** Long series reach the pages thinned for drawing; results.json and matrix.json keep them raw. */
describe('capacity series in the HTML reports', () => {
  test('a ramp of 10,000 points is drawn from at most MAX_DRAWN_POINTS, its ends, peak and dip kept', () => {
    const ramp = rampHolding(10_000);
    ramp.series[5000] = { ...ramp.series[5000], open: 9_999 };
    ramp.series[7000] = { ...ramp.series[7000], open: 3 };
    const [drawn] = forPage([ramp]) as [RampMeasurement];
    expect(drawn.series.length).toBeLessThanOrEqual(MAX_DRAWN_POINTS);
    expect(drawn.series.length).toBeGreaterThan(MAX_DRAWN_POINTS / 2);
    expect(drawn.series[0]).toEqual(ramp.series[0]);
    expect(drawn.series.at(-1)).toEqual(ramp.series.at(-1));
    expect(drawn.series).toContainEqual(ramp.series[5000]);
    expect(drawn.series).toContainEqual(ramp.series[7000]);
    expect(drawn.series.map((p) => p.atMs)).toEqual([...drawn.series.map((p) => p.atMs)].sort((a, b) => a - b));
    expect(ramp.series).toHaveLength(10_000);
  });

  test('a rate series is merged interval by interval: the total and the end stay true', () => {
    const rate = rateSeries(10_000);
    const [drawn] = forPage([rate]) as [RateMeasurement];
    expect(drawn.series.length).toBeLessThanOrEqual(MAX_DRAWN_POINTS);
    expect(drawn.series.reduce((sum, p) => sum + p.completed, 0)).toBe(rate.completed);
    expect(drawn.series.at(-1)!.atMs).toBe(rate.series.at(-1)!.atMs);
  });

  test('a long percentile curve keeps the percentiles the axis marks', () => {
    const curve: LatencyMeasurement = { ...latencyCurve(), percentiles: Array.from({ length: 5000 }, (_, i) => ({ p: Math.round((100 - 100 / 10 ** ((i * 5) / 5000)) * 1e6) / 1e6, ms: i / 100 })) };
    for (const p of [50, 90, 99, 99.9, 99.99]) if (!curve.percentiles.some((q) => q.p === p)) curve.percentiles.push({ p, ms: p / 10 });
    curve.percentiles.sort((a, b) => a.p - b.p);
    const [drawn] = forPage([curve]) as [LatencyMeasurement];
    expect(drawn.percentiles.length).toBeLessThanOrEqual(MAX_DRAWN_POINTS);
    expect(drawn.percentiles.filter((q) => [50, 90, 99, 99.9, 99.99].includes(q.p)).map((q) => q.p)).toEqual([50, 90, 99, 99.9, 99.99]);
    expect(drawn.percentiles.at(-1)).toEqual(curve.percentiles.at(-1));
  });

  test('short series and throughput reach the page as they are', () => {
    const measured = [rampHolding(100), rateSeries(20), latencyCurve(), throughput(4, 1)];
    expect(forPage(measured)).toEqual(measured);
  });

  test('index.html and the matrix page stay small with series of 10,000 points; results.json and matrix.json keep them all', () => {
    const dir = tempDir();
    try {
      const results = capacityResults('fixture', { connections: [rampHolding(10_000)], rate: [rateSeries(10_000)] });
      writeResults(dir.path, results);
      const html = writeHtmlReport(dir.path, results);
      expect(statSync(html).size).toBeLessThan(100_000);
      const raw = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8'));
      expect(raw.cases[0].measurements[0].series).toHaveLength(10_000);
      expect(raw.cases[1].measurements[0].series).toHaveLength(10_000);

      const matrix = matrixOf([
        { name: 'a', exitCode: 0, reports: 'a', results },
        { name: 'b', exitCode: 0, reports: 'b', results: capacityResults('other', {}) },
      ]);
      writeMatrix(dir.path, matrix);
      const page = writeMatrixHtml(dir.path, matrix);
      expect(statSync(page).size).toBeLessThan(100_000);
      const rows = JSON.parse(readFileSync(path.join(dir.path, 'matrix.json'), 'utf8')).rows;
      expect(rows[0].measurements[0][0].series).toHaveLength(10_000);
      expect(rows[0].measurements[1]).toBeNull();
      expect(rows.find((r: { id: string }) => r.id === 'capacity/harness-limits').measurements).toBeUndefined();
    } finally {
      dir.remove();
    }
  });
});
