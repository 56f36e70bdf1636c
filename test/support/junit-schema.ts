import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { ROOT } from './cli';

const XSD = readFileSync(path.join(ROOT, 'fixtures', 'junit', 'junit-10.xsd'), 'utf8');

/** xmllint (WebAssembly) takes seconds on a loaded machine. */
export const VALIDATION_MS = 30_000;

/** Jenkins' schema (xunit-plugin's junit-10.xsd), checked by libxml2: well-formed XML 1.0 included. */
export async function expectValidJunit(xml: string): Promise<void> {
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: XSD }] });
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}
