import { captureFlag, withCaptureValue } from '../harness/cli/capture-flag';
import { offLoopback } from '../harness/run/case-capture';
import { readSettings, settingsEnv } from '../harness/jest/settings';
import { captureUnavailable } from '../harness/capture/tools';
import { UsageError } from '../harness/cli/errors';

describe('--capture', () => {
  test('alone means failed; a value is kept', () => {
    expect(withCaptureValue(['--capture'])).toEqual(['--capture', 'failed']);
    expect(withCaptureValue(['--capture', '--suite', 'echo-tcp'])).toEqual(['--capture', 'failed', '--suite', 'echo-tcp']);
    expect(withCaptureValue(['--capture', 'all', '--suite', 'x'])).toEqual(['--capture', 'all', '--suite', 'x']);
  });

  test('a mode that is none of failed, all, off is a usage error in one line', () => {
    expect(() => captureFlag('sometimes', {})).toThrow(new UsageError('--capture takes failed, all or off, not "sometimes"'));
  });

  test('off, and not given outside CI, capture nothing and say nothing', () => {
    expect(captureFlag('off', { CI: 'true' })).toEqual({});
    expect(captureFlag(undefined, {})).toEqual({});
  });

  test('in CI the default is failed, or the one line why the machine cannot', () => {
    const unavailable = captureUnavailable();
    expect(captureFlag(undefined, { CI: 'true' })).toEqual(unavailable ? { unavailable: `no packet captures: ${unavailable}` } : { mode: 'failed' });
    expect(captureFlag('all', {})).toEqual(unavailable ? { unavailable: `no packet captures: ${unavailable}` } : { mode: 'all' });
  });

  test('reaches the jest workers through the environment', () => {
    const env = settingsEnv({ capture: 'all', captureDir: '/reports/captures' });
    expect(readSettings(env)).toMatchObject({ capture: 'all', captureDir: '/reports/captures' });
    expect(readSettings(settingsEnv({}))).toMatchObject({ capture: undefined, captureDir: undefined });
  });
});

describe('the device a case is captured on', () => {
  test('loopback for a server on this host; every device for one in a network namespace or a container', () => {
    for (const host of ['127.0.0.1', '127.3.4.5', '::1', 'localhost', '::ffff:127.0.0.1', '0.0.0.0', '::']) expect([host, offLoopback(false, host)]).toEqual([host, false]);
    // A container is reached through Docker's bridge: a capture of loopback alone saw none of its packets.
    for (const host of ['172.17.0.2', '10.213.28.218', 'fd00::2']) expect([host, offLoopback(false, host)]).toEqual([host, true]);
    expect(offLoopback(true, '127.0.0.1')).toBe(true);
    expect(offLoopback(false, undefined)).toBe(false);
  });
});
