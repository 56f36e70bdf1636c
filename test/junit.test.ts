import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { junitXml } from '../harness/report/junit';
import { mergeJunit } from '../harness/report/merge';
import type { OutcomeRecord } from '../harness/report/outcome-record';
import { attachServerOutput } from '../harness/report/server-output';
import { resultsOf, writeResults, type ResultsFile } from '../harness/report/results-json';
import { xmlText } from '../harness/report/xml-text';
import { UNSCALED } from '../harness/vocabulary/time-scale';
import { OUTPUT_BOUNDS, OutputTail } from '../harness/targets/output-tail';
import { ROOT, sockspec, tempDir } from './support/cli';
import { expectValidJunit, VALIDATION_MS } from './support/junit-schema';

const NOISY = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'noisy-echo.py')} {port}`;
const PYTHON_ECHO = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'python-echo.py')} tcp {port}`;
/** Two cases the noisy server passes, two `must` cases it fails, and a `should` case it fails. */
const NOISY_CASES = ['--suite', 'echo-tcp', '--filter', 'echo-tcp (round-trip|size-1|size-1025|size-64k|streaming-16m):'];


interface ReadCase {
  classname: string;
  name: string;
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string };
  skipped?: { message: string };
  out?: string;
  err?: string;
}

interface ReadJunit {
  totals: Record<'tests' | 'failures' | 'errors', number>;
  suites: { name: string; counts: Record<'tests' | 'failures' | 'errors' | 'skipped', number>; properties: Record<string, string>; cases: ReadCase[] }[];
}

/** An independent reader: Python's own XML parser, as CI tools written in Python (junitparser) read the file. */
const PYTHON_READER = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
def verdict(case, tag, keys):
    element = case.find(tag)
    return None if element is None else {**{k: element.get(k) for k in keys}, "text": element.text or ""}
def text(case, tag):
    element = case.find(tag)
    return None if element is None else (element.text or "")
print(json.dumps({
    "totals": {k: int(root.get(k)) for k in ("tests", "failures", "errors")},
    "suites": [{
        "name": suite.get("name"),
        "counts": {k: int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped")},
        "properties": {p.get("name"): p.get("value") for p in suite.iter("property")},
        "cases": [{k: v for k, v in {
            "classname": case.get("classname"), "name": case.get("name"),
            "failure": verdict(case, "failure", ("message", "type")),
            "error": verdict(case, "error", ("message", "type")),
            "skipped": verdict(case, "skipped", ("message",)),
            "out": text(case, "system-out"), "err": text(case, "system-err"),
        }.items() if v is not None} for case in suite.iter("testcase")],
    } for suite in root.iter("testsuite")],
}))
`;

function readWithPython(file: string): ReadJunit {
  return JSON.parse(execFileSync('python3', ['-c', PYTHON_READER, file], { encoding: 'utf8' })) as ReadJunit;
}

/** Every count the file states is the count of the elements it holds. */
function expectConsistentCounts(junit: ReadJunit): void {
  for (const suite of junit.suites) {
    expect(suite.counts).toEqual({
      tests: suite.cases.length,
      failures: suite.cases.filter((c) => c.failure).length,
      errors: suite.cases.filter((c) => c.error).length,
      skipped: suite.cases.filter((c) => c.skipped).length,
    });
  }
  const sum = (key: 'tests' | 'failures' | 'errors') => junit.suites.reduce((total, s) => total + s.counts[key], 0);
  expect(junit.totals).toEqual({ tests: sum('tests'), failures: sum('failures'), errors: sum('errors') });
}

function caseNamed(junit: ReadJunit, id: string): ReadCase {
  const found = junit.suites.flatMap((s) => s.cases).find((c) => c.name.startsWith(`${id}: `));
  if (!found) throw new Error(`no testcase ${id} in ${JSON.stringify(junit.suites.map((s) => s.cases.map((c) => c.name)))}`);
  return found;
}

/** The number N of the "connection #N every byte value" line: the connection the server logged it for. */
function connectionsOpenedIn(text: string): string[] {
  return [...text.matchAll(/connection #(\d+) every byte value/g)].map((m) => m[1]);
}

describe('xmlText', () => {
  test('removes colour sequences and shows every character XML 1.0 cannot hold, keeping the rest', () => {
    expect(xmlText('\x1b[31mred\x1b[0m and \x1b[1;32mbold green\x1b[0m')).toBe('red and bold green');
    expect(xmlText('bell\x07 nul\x00 esc\x1b alone')).toBe('bell\\x07 nul\\x00 esc\\x1b alone');
    expect(xmlText('lone \ud800 surrogate, \ufffe and \uffff')).toBe('lone \\u{d800} surrogate, \\u{fffe} and \\u{ffff}');
    expect(xmlText('tab\tlf\ncr\r é \u{1f600} \u00a0 \ufffd')).toBe('tab\tlf\ncr\r é \u{1f600} \u00a0 \ufffd');
  });
});

describe('OutputTail: what is kept of a server output', () => {
  function tailOf(...chunks: (string | Buffer)[]): OutputTail {
    const tail = new OutputTail();
    const stream = new PassThrough();
    void tail.follow(stream);
    for (const chunk of chunks) stream.write(chunk);
    return tail;
  }

  test('the timed lines of the whole run, not only the last 50 that error messages show', () => {
    const tail = tailOf(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''));
    expect(tail.lines()).toHaveLength(50);
    expect(tail.lines()[0]).toBe('line 950');
    expect(tail.printed()).toHaveLength(1000);
    expect(tail.printed()[0].text).toBe('line 0');
  });

  test('at most OUTPUT_BOUNDS.lines lines and OUTPUT_BOUNDS.chars characters, the oldest dropped first', () => {
    const many = tailOf(Array.from({ length: OUTPUT_BOUNDS.lines + 5000 }, (_, i) => `line ${i}\n`).join(''));
    expect(many.printed()).toHaveLength(OUTPUT_BOUNDS.lines);
    expect(many.printed()[0].text).toBe('line 5000');
    const long = tailOf(Array.from({ length: 3000 }, (_, i) => `${i} ${'x'.repeat(2000)}\n`).join(''));
    const kept = long.printed();
    expect(kept.reduce((sum, line) => sum + line.text.length, 0)).toBeLessThanOrEqual(OUTPUT_BOUNDS.chars);
    expect(kept[kept.length - 1].text.startsWith('2999 ')).toBe(true);
  });

  test('a 100 MB line is not kept whole: its start, and how much was left out', () => {
    const mib = 'y'.repeat(1024 * 1024);
    const tail = tailOf(...Array.from({ length: 100 }, () => mib), '\nnext\n');
    const [line, next] = tail.printed();
    expect(line.text).toBe(`${'y'.repeat(OUTPUT_BOUNDS.lineChars)} [… ${100 * 1024 * 1024 - OUTPUT_BOUNDS.lineChars} bytes omitted]`);
    expect(next.text).toBe('next');
  });

  test('a character split across two chunks arrives whole', () => {
    const euro = Buffer.from('price: €5\n');
    expect(tailOf(euro.subarray(0, 8), euro.subarray(8)).lines()).toEqual(['price: €5']);
  });
});

function record(fields: Partial<OutcomeRecord> & Pick<OutcomeRecord, 'caseId' | 'verdict'>): OutcomeRecord {
  return { suite: 'echo-tcp', title: `the ${fields.caseId} case`, level: 'must', ref: 'RFC 862', startedAt: 1_000, durationMs: 20, notes: [], ...fields };
}

const FAILED_SHOULD = record({ caseId: 'burst', level: 'should', verdict: 'fail', summary: 'accepted 90 of 100', message: 'echo-tcp/burst [should]\naccepted 90 of 100\ntimeline: …' });
const FAILED_INFO = record({ caseId: 'loss', level: 'info', verdict: 'fail', summary: 'lost 3%', message: 'lost 3%' });

describe('junitXml: the verdicts of the terminal and results.json', () => {
  test('a failed should case is tolerated without --strict (no <failure>, the failure in <system-out>), a <failure> with it', async () => {
    for (const strict of [false, true]) {
      const xml = junitXml({ records: [FAILED_SHOULD, FAILED_INFO], strict });
      await expectValidJunit(xml);
      const dir = tempDir();
      writeFileSync(path.join(dir.path, 'junit.xml'), xml);
      const junit = readWithPython(path.join(dir.path, 'junit.xml'));
      dir.remove();
      expectConsistentCounts(junit);
      const burst = caseNamed(junit, 'burst');
      if (strict) {
        expect(burst.failure).toEqual({ message: 'accepted 90 of 100', type: 'sockspec.should', text: FAILED_SHOULD.message });
      } else {
        expect(burst.failure).toBeUndefined();
        expect(burst.out).toContain(`failed, tolerated (should without strict): ${FAILED_SHOULD.message}`);
      }
      // An info case measures; it never fails the run.
      expect(caseNamed(junit, 'loss').failure).toBeUndefined();
      expect(caseNamed(junit, 'loss').out).toContain('failed, tolerated (info');
      expect(junit.totals.failures).toBe(strict ? 1 : 0);
    }
  }, VALIDATION_MS);

  test('skipped cases say why; flaky ones keep their first failure; what jest failed without a record is an <error>', async () => {
    const xml = junitXml({
      records: [record({ caseId: 'idle', verdict: 'skip', reason: 'needs an idle timeout (--idle-timeout)' }), record({ caseId: 'retried', verdict: 'pass', flaky: { attempts: 2, firstFailure: 'reset by peer' } })],
      jestProblems: [{ suite: 'echo-tcp', test: 'slow: the slow case', message: 'thrown: Exceeded timeout of 5000 ms for a test.\n  at …' }, { suite: 'tls', message: 'Cannot find module x' }],
      strict: false,
    });
    await expectValidJunit(xml);
    expect(xml).toContain('<skipped message="needs an idle timeout (--idle-timeout)"/>');
    expect(xml).toMatch(/<flakyFailure message="failed 1 time\(s\) before passing" type="sockspec.flaky">\s*<stackTrace>reset by peer<\/stackTrace>/);
    expect(xml).toContain('<error message="thrown: Exceeded timeout of 5000 ms for a test." type="jest">');
    expect(xml).toMatch(/<testsuite name="tls" tests="1" failures="0" errors="1"[^>]*>\s*<testcase classname="tls" name="suite file did not run" time="0.000">\s*<error message="Cannot find module x" type="jest.suite-file">/);
  }, VALIDATION_MS);

  test('an interrupted run marks the suite that was running', async () => {
    const earlier = record({ caseId: 'a', verdict: 'pass', suite: 'chat', startedAt: 1_000 });
    const running = record({ caseId: 'b', verdict: 'pass', startedAt: 2_000 });
    const xml = junitXml({ records: [earlier, running], strict: false, interrupted: true });
    await expectValidJunit(xml);
    expect(xml).toMatch(/<testsuite name="echo-tcp"[^>]*>\s*<properties>\s*<property name="interrupted" value="true"\/>\s*<\/properties>\s*<system-err>interrupted: /);
    expect(xml).not.toMatch(/<testsuite name="chat"[^>]*>\s*<properties>/);
    await expectValidJunit(junitXml({ records: [], strict: false, interrupted: true }));
  }, VALIDATION_MS);
});

describe('attachServerOutput: each failed case gets the lines of its own time window', () => {
  test('its own lines (the last ones, at most 40), then the first 10 of the 250 ms after it; none from before', async () => {
    const failed = record({ caseId: 'a', verdict: 'fail', startedAt: 1_000, durationMs: 100 });
    const next = record({ caseId: 'b', verdict: 'pass', startedAt: 1_105 });
    const printed = [
      { at: 990, text: 'before' },
      ...Array.from({ length: 45 }, (_, i) => ({ at: 1_010, text: `own ${i}` })),
      { at: 1_102, text: 'closed, logged after the close' },
      ...Array.from({ length: 20 }, (_, i) => ({ at: 1_110, text: `next case ${i}` })),
      { at: 1_400, text: 'much later' },
    ];
    await attachServerOutput([failed, next], () => printed);
    expect(failed.serverOutput).toEqual([
      '[… 15 earlier lines of this case not shown]',
      ...Array.from({ length: 30 }, (_, i) => `+10 ms  own ${i + 15}`),
      '+102 ms  closed, logged after the close',
      ...Array.from({ length: 9 }, (_, i) => `+110 ms  next case ${i}`),
    ]);
    expect(next.serverOutput).toBeUndefined();
  });
});

describe('mergeJunit', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const folder = (name: string, records: OutcomeRecord[]) => {
    const at = path.join(dir.path, name);
    mkdirSync(at, { recursive: true });
    writeFileSync(path.join(at, 'junit.xml'), junitXml({ records, strict: false }));
    return at;
  };
  const sameCases = [record({ caseId: 'a', verdict: 'pass' }), record({ caseId: 'b', verdict: 'fail', message: 'no echo' }), record({ caseId: 'c', verdict: 'skip', reason: 'needs x' })];

  test('a matrix: suites and classnames are TARGET/SUITE, so classname + name is unique per target; totals summed', async () => {
    const out = path.join(dir.path, 'matrix');
    mkdirSync(out);
    mergeJunit([folder('one', sameCases), folder('two', sameCases)], out, ['one', 'two']);
    const xml = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    await expectValidJunit(xml);
    const junit = readWithPython(path.join(out, 'junit.xml'));
    expectConsistentCounts(junit);
    expect(junit.totals).toEqual({ tests: 6, failures: 2, errors: 0 });
    expect(junit.suites.map((s) => s.name)).toEqual(['one/echo-tcp', 'two/echo-tcp']);
    const keys = junit.suites.flatMap((s) => s.cases.map((c) => `${c.classname} ${c.name}`));
    expect(new Set(keys).size).toBe(6);
    expect(keys).toContain('two/echo-tcp b: the b case');
  }, VALIDATION_MS);

  test('shards: every suite of every shard, names unchanged', async () => {
    const out = path.join(dir.path, 'shards');
    mkdirSync(out);
    mergeJunit([folder('s1', sameCases), folder('s2', [record({ suite: 'tls', caseId: 'd', verdict: 'pass' })])], out);
    const junit = readWithPython(path.join(out, 'junit.xml'));
    await expectValidJunit(readFileSync(path.join(out, 'junit.xml'), 'utf8'));
    expectConsistentCounts(junit);
    expect(junit.suites.map((s) => s.name)).toEqual(['echo-tcp', 'tls']);
    expect(caseNamed(junit, 'd').classname).toBe('tls');
  }, VALIDATION_MS);
});

describe('sockspec merge of shards with captures', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  /** A shard's reports folder as `sockspec run --reports` leaves it: junit.xml, results.json, and the kept capture of its failed case. */
  const shard = (name: string, suite: string) => {
    const reports = path.join(dir.path, name);
    const pcap = path.join(reports, 'captures', suite, 'b.pcap');
    mkdirSync(path.dirname(pcap), { recursive: true });
    writeFileSync(pcap, `packets of ${name}`);
    const records = [record({ suite, caseId: 'a', verdict: 'pass' }), record({ suite, caseId: 'b', verdict: 'fail', message: 'no echo', capture: { pcap } })];
    writeFileSync(path.join(reports, 'junit.xml'), junitXml({ records, strict: false }));
    writeResults(reports, resultsOf(records, 'builtin', false, false, UNSCALED, { mode: 'failed' }, reports));
    return reports;
  };

  test('the captures are copied into the merged folder, where results.json and the JUnit attachments point', async () => {
    const shards = [shard('s1', 'echo-tcp'), shard('s2', 'tls')];
    const out = path.join(dir.path, 'merged');
    expect((await sockspec(['merge', '--out', out, ...shards])).code).toBe(0);
    const merged = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsFile;
    for (const [suite, name] of [['echo-tcp', 's1'], ['tls', 's2']]) {
      const kept = merged.cases.find((c) => c.id === `${suite}/b`)?.capture?.pcap;
      expect(kept).toBe(`captures/${suite}/b.pcap`);
      expect(readFileSync(path.join(out, kept!), 'utf8')).toBe(`packets of ${name}`);
    }
    // The attachments are relative to where merge ran (the repository root here), into the merged folder.
    const junit = readWithPython(path.join(out, 'junit.xml'));
    expect(caseNamed(junit, 'b').out).toContain(`[[ATTACHMENT|${path.relative(ROOT, path.join(out, 'captures', 'echo-tcp', 'b.pcap'))}]]`);
  });

  test('two shards holding the same capture are refused, and nothing is written', async () => {
    const shards = [shard('same1', 'echo-tcp'), shard('same2', 'echo-tcp')];
    const out = path.join(dir.path, 'clash');
    const merge = await sockspec(['merge', '--out', out, ...shards]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/the shards' captures cannot be merged: .*b\.pcap/);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
  });
});

describe("the CLI's junit.xml against a server that prints colours, BEL and every byte value", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  test('is valid (Jenkins junit-10.xsd, Python reader) with verdicts, messages, its own server output per failed case', async () => {
    const reports = path.join(dir.path, 'plain');
    const run = await sockspec(['run', ...NOISY_CASES, '--cmd', NOISY, '--reports', reports]);
    expect(run.code).toBe(1);
    // The terminal shows the server's last lines without obeying them: no colour, no bell.
    expect(run.stdout).toMatch(/^ {2}\| .*connection #\d+ opened \\x07/m);
    expect(run.stdout).not.toMatch(/[\x07\x1b]/);
    const file = path.join(reports, 'junit.xml');
    await expectValidJunit(readFileSync(file, 'utf8'));
    const junit = readWithPython(file);
    expectConsistentCounts(junit);
    expect(junit.totals).toEqual({ tests: 5, failures: 2, errors: 0 });

    const roundTrip = caseNamed(junit, 'round-trip');
    expect(roundTrip).toMatchObject({ classname: 'echo-tcp', name: 'round-trip: A short message comes back unchanged', out: 'ref: RFC 862' });
    expect(roundTrip.failure).toBeUndefined();
    expect(roundTrip.err).toBeUndefined();

    const opened: string[][] = [];
    for (const id of ['size-1025', 'size-64k']) {
      const failed = caseNamed(junit, id);
      expect(failed.failure?.type).toBe('sockspec.must');
      expect(failed.failure?.message).toMatch(/^breaks one of rfc862-tcp-echo-back, rfc862-tcp-until-client-closes, rfc9293-3.6-fin-after-remaining-data: expected .*, received 1 KiB then the peer closed the connection/);
      expect(failed.failure?.text).toContain(`echo-tcp/${id} [must]`);
      expect(failed.out).toBe('ref: RFC 862');
      // The server's lines of this case, colours removed, BEL and the bytes XML cannot hold shown.
      expect(failed.err).toMatch(/^server output while the case ran:\n/);
      expect(failed.err).toMatch(/connection #\d+ opened \\x07/);
      expect(failed.err).toMatch(/connection #\d+ every byte value: \\x00\\x01\\x02/);
      expect(failed.err).not.toContain('\x1b');
      // Not the lines of round-trip's connection, two cases earlier.
      expect(failed.err).not.toContain('closed by the client after 12 bytes');
      opened.push(connectionsOpenedIn(failed.err ?? ''));
    }
    // Each case shows its own connection.
    expect(opened.map((numbers) => numbers.length)).toEqual([1, 1]);
    expect(opened[0][0]).not.toBe(opened[1][0]);

    const streaming = caseNamed(junit, 'streaming-16m');
    expect(streaming.name).toBe('streaming-16m: 16 MiB streamed without waiting for the echo come back byte for byte [should]');
    expect(streaming.failure).toBeUndefined();
    expect(streaming.out).toMatch(/^ref: RFC 862; RFC 9293 §3.8\nfailed, tolerated \(should without strict\): echo-tcp\/streaming-16m \[should\]/);
  }, 60_000);

  test('with --strict the failed should case is a <failure>', async () => {
    const reports = path.join(dir.path, 'strict');
    const run = await sockspec(['run', ...NOISY_CASES, '--cmd', NOISY, '--reports', reports, '--strict']);
    expect(run.code).toBe(1);
    const file = path.join(reports, 'junit.xml');
    await expectValidJunit(readFileSync(file, 'utf8'));
    const junit = readWithPython(file);
    expectConsistentCounts(junit);
    expect(junit.totals.failures).toBe(3);
    expect(caseNamed(junit, 'streaming-16m').failure?.type).toBe('sockspec.should');
  }, 60_000);

  test('a case has the same name whether a flag makes it skipped or run; the skip says why', async () => {
    const filter = ['--suite', 'timeouts', '--filter', 'timeouts idle-timeout:', '--cmd', PYTHON_ECHO];
    const skipped = path.join(dir.path, 'skipped');
    const ran = path.join(dir.path, 'ran');
    expect((await sockspec(['run', ...filter, '--reports', skipped])).code).toBe(0);
    // The echo server never closes an idle connection: the case runs, and fails.
    expect((await sockspec(['run', ...filter, '--reports', ran, '--idle-timeout', '1s'])).code).toBe(1);
    const skippedCase = caseNamed(readWithPython(path.join(skipped, 'junit.xml')), 'idle-timeout');
    const ranCase = caseNamed(readWithPython(path.join(ran, 'junit.xml')), 'idle-timeout');
    expect(skippedCase.skipped?.message).toMatch(/^needs /);
    expect(ranCase.skipped).toBeUndefined();
    expect(ranCase.failure?.type).toBe('sockspec.must');
    expect(skippedCase.name).toBe(ranCase.name);
    expect(skippedCase.classname).toBe(ranCase.classname);
  }, 60_000);
});
