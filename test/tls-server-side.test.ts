import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import type { Step } from '../harness/steps/registry';
import type { Suite } from '../harness/suite/schema';
import { cachedCertificateSet } from '../harness/certs/cache';
import { PYTHON } from '../fixtures/mutants/python';
import { ROOT, sockspec, tempDir } from './support/cli';

/** One case of a client suite made of `steps`, run against `command`. */
function runClientCase(command: string, steps: unknown[]): Promise<CaseOutcome> {
  const suite: Suite = { file: '<test>', suite: 'steps', title: 't', service: 'tls-echo', peer: 'client', cases: [] };
  const c = { id: 'c', title: 't', requirement: 'r', ref: 'test', steps: steps as Step[] };
  return runCase(suite, c, {}, { client: { command }, stepTimeout: 5000 });
}

/** A client that copies the file {ca} names, and its default trust store's file, into OUT, and writes down {ca}'s path. */
const COPIER = [
  'import os, shutil, sys',
  'ca, out = sys.argv[1], sys.argv[2]',
  'shutil.copy(ca, os.path.join(out, "ca.pem"))',
  'shutil.copy(os.environ["SSL_CERT_FILE"], os.path.join(out, "default-store.pem"))',
  'open(os.path.join(out, "path"), "w").write(ca)',
].join('; ');

describe('the server side of a client suite over TLS', () => {
  test('{ca} names a file holding the root while the client runs, removed when the case ends; the default store holds another root', async () => {
    const out = tempDir();
    try {
      const outcome = await runClientCase(`${PYTHON} -c '${COPIER}' {ca} ${out.path} {port}`, [
        { 'start-client': { tls: { certificate: 'valid-chain' } } },
        { 'expect-client-exit': { code: 0 } },
      ]);
      expect(outcome.failure?.summary).toBeUndefined();
      const set = await cachedCertificateSet();
      expect(readFileSync(path.join(out.path, 'ca.pem'), 'utf8')).toBe(set.ca.cert);
      expect(readFileSync(path.join(out.path, 'default-store.pem'), 'utf8')).toBe(set.otherCa.cert);
      const caPath = readFileSync(path.join(out.path, 'path'), 'utf8');
      expect(existsSync(caPath)).toBe(false);
      expect(existsSync(path.dirname(caPath))).toBe(false);
    } finally {
      out.remove();
    }
  }, 30_000);

  test('a client command using {servername} in a case without tls is a usage error naming it', async () => {
    const outcome = await runClientCase(`${PYTHON} -c pass {host} {port} {servername}`, [{ 'start-client': {} }]);
    expect(outcome.suiteError?.message ?? outcome.failure?.summary).toMatch(/uses \{servername\}, which this case does not give \(it gives \{host\}, \{port\}\)/);
  }, 30_000);

  test('expect-handshake on a connection accepted without tls is a usage error', async () => {
    const outcome = await runClientCase(`${PYTHON} -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])))' {host} {port}`, [
      { 'start-client': {} },
      { accept: {} },
      { 'expect-handshake': {} },
    ]);
    expect(outcome.suiteError?.message ?? outcome.failure?.summary).toMatch(/connection "main" is not TLS: give start-client a tls: option/);
  }, 30_000);

  test('a client that speaks no TLS fails expect-handshake for want of a ClientHello', async () => {
    const outcome = await runClientCase(`${PYTHON} -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2]))).sendall(b"plain")' {host} {port}`, [
      { 'start-client': { tls: { certificate: 'valid-chain' } } },
      { accept: {} },
      { 'expect-handshake': {} },
    ]);
    expect(outcome.failure?.summary).toMatch(/^no TLS ClientHello arrived: the client did not start a TLS handshake \(what came was refused by the server side: wrong version number\)$/);
  }, 30_000);
});

describe('sockspec run with a TLS client', () => {
  const reference = `${PYTHON} ${path.join(ROOT, 'fixtures', 'clients', 'tls', 'reference.py')} {host} {port} {ca} {servername} {cert} {key}`;

  test('--suite tls-client runs the TLS client suite against the command, every case passing for the reference client', async () => {
    const dir = tempDir();
    try {
      const result = await sockspec(['run', '--suite', 'tls-client', '--client', reference, '--reports', dir.path]);
      expect(result.stdout).toMatch(/1 suite\(s\) against client: /);
      expect(result.stdout).toMatch(/^tls-client +11 +0 /m);
      expect(result.code).toBe(0);
    } finally {
      dir.remove();
    }
  }, 120_000);

  test('a TLS client suite against a command without {ca} and {servername}, or a plain one against a command with them, is a usage error', async () => {
    const plain = await sockspec(['run', '--suite', 'tls-client', '--client', 'nc {host} {port}']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/the tls-client suite checks a TLS client, which must take \{ca\} and \{servername\} \(the root to trust, the name to verify\); the client command has neither/);
    const tls = await sockspec(['run', '--suite', 'echo-client', '--client', reference]);
    expect(tls.code).toBe(2);
    expect(tls.stderr).toMatch(/the echo-client suite plays a plain TCP server and gives no \{ca\} or \{servername\}, which the client command uses/);
  }, 60_000);
});
