import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './support/cli';
import type { Suite } from '../harness/suite/schema';

import { cachedWhenBundled } from '../harness/suite/suite-cache';

const ECHO_UDP = path.join(ROOT, 'suites', 'echo-udp.suite.yaml');

describe('bundled suites checked once, kept between processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'sockspec-test-cache-')), 'suites');
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  const checked = (file: string): Suite => ({ suite: 'echo-udp', cases: [], file }) as unknown as Suite;

  test('a bundled suite is checked once; then its entry is used, in a folder only this user can read', () => {
    const check = jest.fn(checked);
    const first = cachedWhenBundled(ECHO_UDP, check, dir);
    const second = cachedWhenBundled(ECHO_UDP, check, dir);
    expect(check).toHaveBeenCalledTimes(1);
    expect(second).toEqual(first);
    expect(readdirSync(dir)).toEqual(['echo-udp.suite.yaml.ts.json']);
  });

  test('an entry made from other bytes (the suite, its rule books or the harness changed) is checked again and replaced', () => {
    const check = jest.fn(checked);
    mkdirSync(dir, { mode: 0o700 });
    const entry = path.join(dir, 'echo-udp.suite.yaml.ts.json');
    writeFileSync(entry, JSON.stringify({ digest: 'made from an older echo-udp', suite: { suite: 'stale', cases: [] } }));
    expect(cachedWhenBundled(ECHO_UDP, check, dir).suite).toBe('echo-udp');
    expect(check).toHaveBeenCalledTimes(1);
    expect(JSON.parse(readFileSync(entry, 'utf8')).suite.suite).toBe('echo-udp');
  });

  test('a suite that fails its check is not kept: it is checked, and reported, every time', () => {
    const check = jest.fn(() => {
      throw new Error('cases[0].steps[1]: unknown step');
    });
    expect(() => cachedWhenBundled(ECHO_UDP, check, dir)).toThrow('unknown step');
    expect(() => cachedWhenBundled(ECHO_UDP, check, dir)).toThrow('unknown step');
    expect(check).toHaveBeenCalledTimes(2);
  });

  test('an entry in a folder other users can write is not trusted', () => {
    const check = jest.fn(checked);
    cachedWhenBundled(ECHO_UDP, check, dir);
    chmodSync(dir, 0o777);
    cachedWhenBundled(ECHO_UDP, check, dir);
    expect(check).toHaveBeenCalledTimes(2);
  });

  test('a suite file outside the bundled folder is checked every time', () => {
    const check = jest.fn(checked);
    const copy = path.join(ROOT, 'fixtures', 'suites', 'echo-udp-elsewhere.suite.yaml');
    cachedWhenBundled(copy, check, dir);
    cachedWhenBundled(copy, check, dir);
    expect(check).toHaveBeenCalledTimes(2);
  });
});
