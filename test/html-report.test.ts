import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
    await page.locator('table').screenshot({ path: path.join(ROOT, 'reports', 'html-matrix.png') });
    await row.locator('td.c-fail a').click();
    await page.waitForURL(/mutant\/index\.html#echo-tcp%2Fsize-1025$/);
    expect(await page.locator('details[id="echo-tcp/size-1025"]').getAttribute('open')).not.toBeNull();
    await page.close();
  }, 30_000);
});
