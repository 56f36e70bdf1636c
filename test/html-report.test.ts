import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MUTANTS } from '../fixtures/mutants/echo-tcp';
import { toRecord } from '../harness/report/outcome-record';
import { writeHtmlReport } from '../harness/report/html';
import { resultsOf, type ResultsFile } from '../harness/report/results-json';
import { matrixOf } from '../harness/report/matrix';
import { writeMatrixHtml } from '../harness/report/matrix-html';
import { bundledSuite, runEachCaseFresh } from './support/run-suite';
import { runCase } from '../harness/run/run-case';
import { CLIENT_SUITES } from '../fixtures/clients';
import { ROOT, tempDir } from './support/cli';
import { describeWithPrograms } from './support/tools';
import { capacityResults, latencyCurve, rampBreakingAt1016, rampHolding, rateSeries, throughput } from './support/measurements';
import { MAX_DRAWN_POINTS } from '../harness/report/charts';

/** The HTML report in a real headless browser: it renders, shows a failure's transcript, and filters. */
describeWithPrograms(['chromium'], 'HTML report', () => {
  let browser: Browser;
  let file: string;
  let matrixFile: string;
  const dir = tempDir();

  beforeAll(async () => {
    const suite = bundledSuite('echo-tcp');
    const outcomes = await runEachCaseFresh(suite, () => MUTANTS['recv-once-then-close'].start({}));
    const results = resultsOf(outcomes.map((o) => toRecord(o)), 'fixture: recv-once-then-close', false);
    // What a command target's server would have printed meanwhile (the mutant runs in-process).
    const sized = results.cases.find((c) => c.id === 'echo-tcp/size-1025');
    if (sized) sized.serverOutput = ['+1 ms  accepted 127.0.0.1:40000', '+2 ms  read 1024 bytes, closing'];
    file = writeHtmlReport(dir.path, results);
    // A matrix of the mutant beside a column where everything passed, each with its own report.
    const passing: ResultsFile = { ...results, target: 'all passing', cases: results.cases.map((c) => ({ ...c, verdict: 'pass', message: undefined, transcript: undefined })) };
    for (const [name, column] of [['passing', passing], ['mutant', results]] as const) {
      mkdirSync(path.join(dir.path, 'matrix', name), { recursive: true });
      writeHtmlReport(path.join(dir.path, 'matrix', name), column);
    }
    const columns = [
      { name: 'passing', exitCode: 0, reports: 'passing', results: passing },
      { name: 'mutant', exitCode: 1, reports: 'mutant', results },
    ];
    matrixFile = writeMatrixHtml(path.join(dir.path, 'matrix'), matrixOf(columns));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    dir.remove();
  });

  test('shows the totals, and a failed case with its message and its transcript as a sequence', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    expect(await page.locator('#totals').textContent()).toMatch(/\d+ failed/);
    const failed = page.locator('details.case.v-fail', { hasText: 'echo-tcp/size-1025' });
    expect(await failed.locator('pre.message').textContent()).toContain('received 1 KiB then the peer closed the connection (FIN)');
    const sequence = failed.locator('.sequence');
    const lanes = await sequence.textContent();
    expect(lanes).toMatch(/1025 B ─────▶/);
    expect(lanes).toMatch(/◀── FIN/);
    expect(await failed.locator('pre.server-output').textContent()).toBe('+1 ms  accepted 127.0.0.1:40000\n+2 ms  read 1024 bytes, closing');
    mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
    await failed.screenshot({ path: path.join(ROOT, 'reports', 'html-report-failure.png') });
    await page.close();
  }, 30_000);

  test('the Failed filter hides passed cases, and the search box narrows by id', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    const visible = () => page.locator('details.case:not(.hidden)').count();
    const all = await visible();
    await page.click('button[data-filter="fail"]');
    const failing = await visible();
    expect(failing).toBeGreaterThan(0);
    expect(failing).toBeLessThan(all);
    expect(await page.locator('details.case.v-pass:not(.hidden)').count()).toBe(0);
    await page.fill('#search', 'size-16m');
    expect(await visible()).toBe(1);
    await page.close();
  }, 30_000);

  test('the Rules section lists each cited rule with its level, text, verdict and cases; a case link opens the case', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    const echoBack = page.locator('#rules tr.rule-row', { hasText: 'rfc862-tcp-echo-back' });
    expect(await echoBack.locator('td').nth(1).textContent()).toBe('must');
    expect(await echoBack.locator('.rule-verdict').textContent()).toBe('failed');
    expect(await echoBack.locator('.rule-text').textContent()).toBe('Once a connection is established any data received is sent back.');
    expect(await echoBack.locator('.rule-cases a.v-fail', { hasText: 'echo-tcp/size-1025' }).count()).toBe(1);
    expect(await echoBack.locator('.rule-cases a.v-pass', { hasText: 'echo-tcp/round-trip' }).count()).toBe(1);
    // The mutant closes after one read: the reset cases pass, so the rules only they cite passed.
    expect(await page.locator('#rule-echo-tcp-reset-ends-one-connection .rule-verdict').textContent()).toBe('passed');
    const must = await page.locator('#rule-totals tr.level-must td').allTextContents();
    const rows = await page.locator('#rules tr.rule-row.level-must').count();
    const failedRows = await page.locator('#rules tr.rule-row.level-must.r-failed').count();
    expect(must[0]).toBe('must');
    expect(Number(must[1])).toBe(rows);
    expect(Number(must[3])).toBe(failedRows);
    expect(failedRows).toBeGreaterThan(0);
    await page.locator('#rules').screenshot({ path: path.join(ROOT, 'reports', 'html-rules.png') });
    await echoBack.locator('.rule-cases a', { hasText: 'echo-tcp/size-1025' }).click();
    expect(await page.locator('details[id="echo-tcp/size-1025"]').getAttribute('open')).not.toBeNull();
    const passed = page.locator('details[id="echo-tcp/round-trip"]');
    expect(await passed.getAttribute('open')).toBeNull();
    await echoBack.locator('.rule-cases a', { hasText: 'echo-tcp/round-trip' }).click();
    expect(await passed.getAttribute('open')).not.toBeNull();
    await page.close();
  }, 30_000);

  test("a client suite's failure shows sockspec's server side on the left and the client under test, with what it printed, on the right", async () => {
    const suite = bundledSuite('echo-client');
    const refused = suite.cases.find((c) => c.id === 'connect-refused')!;
    const outcome = await runCase(suite, refused, {}, { client: { command: CLIENT_SUITES['echo-client'].mutants['traceback-on-error'].command } });
    mkdirSync(path.join(dir.path, 'client'));
    const clientFile = writeHtmlReport(path.join(dir.path, 'client'), resultsOf([toRecord(outcome)], 'client: traceback-on-error', false));
    const page = await browser.newPage();
    await page.goto(`file://${clientFile}`);
    const failed = page.locator('details.case.v-fail', { hasText: 'echo-client/connect-refused' });
    expect(await failed.locator('.sequence .head').allTextContents()).toEqual(['ms', 'server (sockspec)', '', 'client under test']);
    const rows = await failed.locator('.sequence .row').allTextContents();
    expect(rows).toContain('on stderr: Traceback (most recent call last):');
    expect(rows.some((text) => /^on stderr: ConnectionRefusedError: /.test(text))).toBe(true);
    await page.close();
  }, 30_000);

  test('the matrix shows a case x target table; a failed cell opens that case in the target\'s report', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${matrixFile}`);
    expect(await page.locator('thead th').allTextContents()).toEqual(['case', 'passing', 'mutant']);
    const row = page.locator('tr.case-row', { hasText: 'echo-tcp/size-1025' });
    expect(await row.locator('td.cell').allTextContents()).toEqual(['pass', 'FAIL']);
    const rows = await page.locator('tr.case-row').count();
    await page.check('#differing');
    const differing = await page.locator('tr.case-row:not(.hidden)').count();
    expect(differing).toBeGreaterThan(0);
    expect(differing).toBeLessThan(rows);
    await page.locator('table#matrix').screenshot({ path: path.join(ROOT, 'reports', 'html-matrix.png') });
    await row.locator('td.c-fail a').click();
    await page.waitForURL(/mutant\/index\.html#echo-tcp%2Fsize-1025$/);
    expect(await page.locator('details[id="echo-tcp/size-1025"]').getAttribute('open')).not.toBeNull();
    await page.close();
  }, 30_000);

  describe('capacity measurements', () => {
    let capacityFile: string;
    let capacityMatrix: string;

    beforeAll(() => {
      const results = capacityResults('fixture: capacity', {
        connections: [rampBreakingAt1016()],
        latency: [latencyCurve()],
        // HdrHistogram's steps: each percentile halves the distance left to 100%.
        'latency-halving': [{ ...latencyCurve(), percentiles: Array.from({ length: 14 }, (_, i) => ({ p: 100 - 100 / 2 ** (i + 1), ms: i / 4 })) }],
        // A chat fan-out times deliveries over a room's members, not round trips over clients.
        fanout: [{ ...latencyCurve(), label: 'room of 100', concurrency: 100, timed: 'delivery', concurrencyOf: 'members' }],
        throughput: [throughput(1), throughput(4, 1)],
        rate: [rateSeries()],
        'long-ramp': [rampHolding(10_000)],
      });
      mkdirSync(path.join(dir.path, 'capacity'));
      capacityFile = writeHtmlReport(path.join(dir.path, 'capacity'), results);
      const halfAsFast = throughput(1);
      halfAsFast.streams[0].bitsPerSecond /= 2;
      const holding = capacityResults('fixture: holds 10,000', { connections: [rampHolding()], latency: [latencyCurve()], throughput: [halfAsFast] });
      mkdirSync(path.join(dir.path, 'capacity-matrix'));
      capacityMatrix = writeMatrixHtml(path.join(dir.path, 'capacity-matrix'), matrixOf([
        { name: 'select-loop', exitCode: 0, reports: 'select-loop', results },
        { name: 'asyncio', exitCode: 0, reports: 'asyncio', results: holding },
      ]));
    });

    /** Opens a page, failing the test on any request that is not for the file itself. */
    async function open(file: string) {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`file://${file}`);
      return { page, requests: () => requests.filter((url) => url !== `file://${file}`), errors };
    }

    const plotMiddle = async (chart: ReturnType<Page['locator']>) => {
      const area = chart.locator('rect.plot-area');
      return Number(await area.getAttribute('x')) + Number(await area.getAttribute('width')) / 2;
    };

    test('a capacity case shows its charts open though it passed: the ramp marks its target and where and how it broke', async () => {
      const { page, requests, errors } = await open(capacityFile);
      const c = page.locator('details[id="capacity/connections"]');
      expect(await c.getAttribute('open')).not.toBeNull();
      const ramp = c.locator('svg.chart-ramp');
      expect(await ramp.locator('.chart-title').textContent()).toBe('10,000 connections: held 1,016 of 10,000');
      expect(await ramp.locator('.target-label').textContent()).toBe('target 10,000');
      expect(await ramp.locator('.y-tick').allTextContents()).toEqual(['0', '2,000', '4,000', '6,000', '8,000', '10,000']);
      expect(await ramp.locator('.x-label').textContent()).toBe('time (s)');
      expect(await ramp.locator('.y-label').textContent()).toBe('open connections');
      // The ramp reached 1,016 at 1,270 ms of 2,540: half-way along the time axis.
      const marker = ramp.locator('.break-marker');
      expect(Number(await marker.locator('circle').getAttribute('cx'))).toBeCloseTo(await plotMiddle(ramp), 0);
      expect(await marker.locator('tspan').allTextContents()).toEqual(['broke after 1,016', "EMFILE (sockspec's fd limit)"]);
      expect(await c.locator('table.numbers').textContent()).toContain('EMFILE: too many open files, socket');
      await c.screenshot({ path: path.join(ROOT, 'reports', 'html-capacity-ramp.png') });
      expect(await page.locator('svg').evaluateAll((svgs) => svgs.map((s) => s.outerHTML).join(''))).not.toMatch(/NaN|Infinity|undefined/);
      expect(await page.locator('body').innerText()).not.toMatch(/NaN|Infinity|undefined/);
      expect(errors).toEqual([]);
      expect(requests()).toEqual([]);
      await page.close();
    }, 30_000);

    test('the latency curve runs on an axis of nines (50% to 99.99%), p99 half-way, with its numbers beside it', async () => {
      const { page } = await open(capacityFile);
      const latency = page.locator('details[id="capacity/latency"] svg.chart-latency');
      expect(await latency.locator('.x-tick').allTextContents()).toEqual(['50%', '90%', '99%', '99.9%', '99.99%']);
      expect(await latency.locator('.chart-title').textContent()).toBe('echo round trip: p99 0.84 ms at 10,000/s, 100 clients');
      expect(await latency.locator('.max-label').textContent()).toBe('max 12.5 ms');
      expect(await latency.locator('.y-label').textContent()).toBe('round trip (ms)');
      // 99% is 2 nines of the axis's 4.
      expect(Number(await latency.locator('circle[data-p="99"]').getAttribute('cx'))).toBeCloseTo(await plotMiddle(latency), 0);
      const numbers = await page.locator('details[id="capacity/latency"] table.numbers tr').allTextContents();
      expect(numbers).toEqual(expect.arrayContaining(['p990.84 ms', 'p99.92.60 ms', 'samples300,000']));
      const halving = await page.locator('details[id="capacity/latency-halving"] table.numbers th').allTextContents();
      expect(halving.filter((h) => h.startsWith('p'))).toEqual(['p50', 'p87.5', 'p96.875', 'p99.21875', 'p99.8046875', 'p99.951171875', 'p99.98779296875', 'p99.993896484375']);
      expect(await page.locator('details[id="capacity/latency-halving"] .chart-title').textContent()).toBe('echo round trip: p99.21875 1.50 ms at 10,000/s, 100 clients');
      const fanout = page.locator('details[id="capacity/fanout"]');
      expect(await fanout.locator('.y-label').textContent()).toBe('delivery (ms)');
      expect(await fanout.locator('.chart-title').textContent()).toBe('room of 100: p99 0.84 ms at 10,000/s, 100 members');
      expect(await fanout.locator('table.numbers tr').allTextContents()).toContain('members100');
      await page.locator('details[id="capacity/latency"]').screenshot({ path: path.join(ROOT, 'reports', 'html-capacity-latency.png') });
      await page.close();
    }, 30_000);

    test('throughput is a bar per stream with its bit rate, an unverified stream marked; the rate is drawn over time', async () => {
      const { page } = await open(capacityFile);
      const [one, four] = await page.locator('details[id="capacity/throughput"] svg.chart-throughput').all();
      expect(await one.locator('.bar-value').allTextContents()).toEqual(['1.2 Gbit/s']);
      expect(await four.locator('.bar').count()).toBe(4);
      expect(await four.locator('.bar.unverified').count()).toBe(1);
      expect(await four.locator('.bar-value').allTextContents()).toEqual(['300 Mbit/s NOT verified', '300 Mbit/s', '300 Mbit/s', '300 Mbit/s']);
      expect(await four.locator('.chart-title').textContent()).toBe('4 streams: 1.2 Gbit/s in 4 streams');
      const rate = page.locator('details[id="capacity/rate"] svg.chart-rate');
      expect(await rate.locator('.target-label').textContent()).toBe('average 500/s');
      const points = (await rate.locator('polyline.series').getAttribute('points'))!.split(' ');
      expect(points).toHaveLength(20);
      // 50 connections per 100 ms: every point at the average's height.
      expect(new Set(points.map((p) => p.split(',')[1]))).toEqual(new Set([await rate.locator('line.target-line').getAttribute('y1')]));
      await page.locator('details[id="capacity/throughput"]').screenshot({ path: path.join(ROOT, 'reports', 'html-capacity-throughput.png') });
      await page.close();
    }, 30_000);

    test('a case without measurements shows no chart; a series of 10,000 points is drawn with at most the drawing limit', async () => {
      const { page } = await open(capacityFile);
      const plain = page.locator('details[id="capacity/harness-limits"]');
      expect(await plain.getAttribute('open')).toBeNull();
      expect(await plain.locator('svg, .measurements').count()).toBe(0);
      const drawn = (await page.locator('details[id="capacity/long-ramp"] polyline.series').getAttribute('points'))!.split(' ');
      expect(drawn.length).toBeGreaterThan(100);
      expect(drawn.length).toBeLessThanOrEqual(MAX_DRAWN_POINTS);
      await page.close();
    }, 30_000);

    test('the matrix compares targets on capacity: a row each, headline numbers and sparklines, linked to the case', async () => {
      const { page, requests, errors } = await open(capacityMatrix);
      const rows = page.locator('#capacity tr.capacity-row');
      expect(await rows.count()).toBe(2);
      expect(await page.locator('#capacity thead th').allTextContents()).toEqual(['target', 'connections held', 'connection rate', 'throughput', 'latency p99']);
      const [select, asyncio] = await rows.all();
      expect(await select.locator('td.k-ramp .headline').allTextContents()).toEqual(["1,016 / 10,000 held: EMFILE (sockspec's fd limit)", '10,000 / 10,000 held']);
      expect(await asyncio.locator('td.k-ramp .headline').allTextContents()).toEqual(['10,000 / 10,000 held']);
      expect(await select.locator('td.k-rate .headline').textContent()).toBe('500/s');
      expect(await asyncio.locator('td.k-rate').textContent()).toBe('–');
      // One stream at half the speed of the other target's: its bar, on the same scale, half as tall.
      const barHeight = async (row: ReturnType<Page['locator']>) => Number(await row.locator('td.k-throughput svg.spark rect').first().getAttribute('height'));
      expect(await barHeight(asyncio)).toBeCloseTo((await barHeight(select)) / 2, 0);
      expect(await select.locator('td.k-throughput .headline').allTextContents()).toEqual(['1.2 Gbit/s', '1.2 Gbit/s NOT verified']);
      expect(await asyncio.locator('td.k-latency .headline').textContent()).toBe('p99 0.84 ms');
      expect(await select.locator('td.k-ramp svg.spark .break-marker').count()).toBe(1);
      expect(await asyncio.locator('td.k-ramp svg.spark .break-marker').count()).toBe(0);
      // select-loop: 2 ramps, 1 rate, 2 throughputs, 3 latency curves (round trip, HdrHistogram steps, fan-out); asyncio: 3.
      expect(await select.locator('td.k-latency svg.spark').count()).toBe(3);
      expect(await page.locator('#capacity svg.spark').count()).toBe(11);
      expect(await select.locator('td.k-ramp a').first().getAttribute('href')).toBe('select-loop/index.html#capacity%2Fconnections');
      expect(await page.locator('#capacity').evaluate((s) => s.outerHTML)).not.toMatch(/NaN|Infinity|undefined/);
      await page.locator('#capacity').screenshot({ path: path.join(ROOT, 'reports', 'html-matrix-capacity.png') });
      expect(errors).toEqual([]);
      expect(requests()).toEqual([]);
      await page.close();
    }, 30_000);

    test('a matrix without measurements has no capacity table', async () => {
      const { page } = await open(matrixFile);
      expect(await page.locator('#capacity').isHidden()).toBe(true);
      expect(await page.locator('#capacity tr').count()).toBe(0);
      await page.close();
    }, 30_000);
  });
});
