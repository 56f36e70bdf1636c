import { createHash } from 'node:crypto';
import path from 'node:path';
import { cachedCertificateSet } from '../harness/certs/cache';
import { CommandTarget } from '../harness/targets/command';

const LISTER = path.join(__dirname, '..', 'fixtures', 'hostile', 'key-dir-lister.js');

const digest = (pem: string) => createHash('sha256').update(pem).digest('hex');

/** What a --cmd server is handed through {cert}, {key} and {ca}, and what it finds next to them. */
describe('a command server gets its own key and nothing more', () => {
  const target = new CommandTarget({ command: `${process.execPath} ${LISTER} {port} {key} {cert} {ca}` });
  let printed: string[] = [];
  beforeAll(async () => {
    await target.start(['echo-tcp']);
    // Its output arrives through a pipe, possibly after the port answered.
    for (let waited = 0; !printed.some((line) => line.startsWith('key mode:')) && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      printed = target.printed().map((line) => line.text);
    }
  });
  afterAll(() => target.stop());

  test('the {key} folder holds the server certificate, its key and the CA certificate, no other key', () => {
    expect(printed).toContain('key dir: ca.crt server.crt server.key');
    expect(printed).toContain('same dir: true');
  });

  test("the files are the run's server certificate, its key and the CA certificate; the key is its owner's only", async () => {
    const set = await cachedCertificateSet();
    expect(printed).toContain(`digests: key ${digest(set.server.key)} cert ${digest(set.server.cert)} ca ${digest(set.ca.cert)}`);
    expect(printed).toContain('key mode: 600');
  });
});
