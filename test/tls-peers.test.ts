import { expectFailedCases, sockspec, tempDir, type CliResult } from './support/cli';
import { describeWithPrograms } from './support/tools';
import { decodeUnavailable } from '../harness/capture/tools';

/** Whether the wire checks run here (root, tcpdump, tshark); without them their cases are skipped. */
const WIRE = decodeUnavailable() === undefined;

const SOCAT_TLS = 'socat OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={cert},key={key}';

async function run(suite: string, command: string, extra: string[] = []): Promise<CliResult> {
  const reports = tempDir();
  try {
    return await sockspec(['run', '--suite', suite, '--cmd', command, '--reports', reports.path, ...extra]);
  } finally {
    reports.remove();
  }
}

/** The TLS suites against socat's OpenSSL server, with the run's certificates passed as {cert}/{key}/{ca}. */
describeWithPrograms(['socat'], 'socat OPENSSL-LISTEN', () => {
  // OpenSSL 3 has no version floor of its own: it negotiates TLS 1.0 or 1.1, then finds no
  // signature algorithm its security level allows and sends internal_error, not the protocol_version
  // alert RFC 8446 App. D.2 requires. Only the wire check sees which alert it was (docs/capture.md).
  test('a default socat TLS echo fails only the TLS 1.0 and 1.1 refusals, on the wire: internal_error, not protocol_version', async () => {
    const result = await run('tls', `${SOCAT_TLS},verify=0 PIPE`);
    expectFailedCases(result, 'tls', WIRE ? ['tls10-refused', 'tls11-refused'] : []);
    if (WIRE) expect(result.stdout).toContain("expected the server's first alert to be protocol_version on probe; the server sent fatal internal_error");
    expect(result.code).toBe(WIRE ? 1 : 0);
  }, 60_000);

  test('socat with a TLS 1.2 floor passes; the SNI and ALPN cases are skipped as undeclared', async () => {
    const result = await run('tls', `${SOCAT_TLS},verify=0,min-version=TLS1.2 PIPE`);
    expectFailedCases(result, 'tls', []);
    expect(result.stdout).toMatch(/- tls\/sni-alt-certificate .*\[skipped: needs a second server name/);
    expect(result.stdout).toMatch(/- tls\/alpn-selected .*\[skipped: needs the ALPN protocols/);
    expect(result.code).toBe(0);
  }, 60_000);

  test('socat opened to TLS 1.0 fails exactly the TLS 1.0 and 1.1 cases', async () => {
    const result = await run('tls', `${SOCAT_TLS},verify=0,min-version=TLS1.0,cipher=DEFAULT:@SECLEVEL=0 PIPE`);
    expectFailedCases(result, 'tls', ['tls10-refused', 'tls11-refused']);
    expect(result.stdout).toContain('the server accepted the connection (TLSv1) and echoed the probe');
    expect(result.code).toBe(1);
  }, 60_000);

  test('socat verifying client certificates against the run CA passes the mutual TLS suite', async () => {
    const result = await run('tls-mtls', `${SOCAT_TLS},cafile={ca},verify=1 PIPE`);
    expectFailedCases(result, 'tls-mtls', []);
    expect(result.code).toBe(0);
  }, 60_000);

  test('socat not verifying client certificates fails the refusal cases', async () => {
    const result = await run('tls-mtls', `${SOCAT_TLS},verify=0 PIPE`);
    expectFailedCases(result, 'tls-mtls', ['no-client-cert-refused', 'other-ca-client-cert-refused']);
    expect(result.code).toBe(1);
  }, 60_000);
});

/**
 * openssl s_server does not echo, so only the cases that need no echo run against it: a second
 * real peer for the hand-written ClientHello (it follows the client's order, so it really picks a
 * strong suite listed after RC4) and the refusals.
 */
describeWithPrograms(['openssl'], 'openssl s_server', () => {
  const cases = ['tls10-refused', 'tls11-refused', 'null-suites-refused', 'rc4-only-refused', 'rc4-not-selected', 'export-and-des-refused'];
  const serve = (extra: string) => run('tls', `openssl s_server -accept 127.0.0.1:{port} -cert {cert} -key {key} -quiet${extra}`, ['--filter', `^tls (${cases.join('|')}):`]);

  test('with a TLS 1.2 floor, passes the refusal and suite selection cases', async () => {
    const result = await serve(' -min_protocol TLSv1.2');
    expectFailedCases(result, 'tls', []);
    expect(result.stdout.match(/^✓ tls\//gm)).toHaveLength(cases.length);
    expect(result.code).toBe(0);
  }, 60_000);

  test('with its defaults, refuses TLS 1.0 and 1.1 with internal_error, which only the wire check sees', async () => {
    const result = await serve('');
    expectFailedCases(result, 'tls', WIRE ? ['tls10-refused', 'tls11-refused'] : []);
    expect(result.code).toBe(WIRE ? 1 : 0);
  }, 60_000);
});
