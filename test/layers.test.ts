import { execFile } from 'node:child_process';
import path from 'node:path';
import { ROOT, tempTree } from './support/cli';

const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** The rules of .dependency-cruiser.cjs that harness/ (under `cwd`) breaks, one line each. */
function violations(cwd: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [DEPCRUISE, 'harness', '--config', CONFIG, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // depcruise exits with the number of errors; its JSON is the answer either way.
      if (!stdout) return reject(new Error(`dependency-cruiser failed: ${stderr || error?.message}`));
      const found = JSON.parse(stdout).summary.violations as Violation[];
      resolve(found.map((v) => `${v.rule.name}: ${v.cycle ? [v.from, ...v.cycle.map((c) => c.name)].join(' → ') : `${v.from} → ${v.to}`}`));
    });
  });
}


describe('the layers of harness/ (docs/architecture.md)', () => {
  test('no import goes up a layer, and no import circle forms, type imports included', async () => {
    expect(await violations(ROOT)).toEqual([]);
  }, 60_000);

  test('the rules report an import up a layer, a circle through types, and a folder in no layer', async () => {
    const dir = tempTree({
      'harness/net/connection.ts': "import type { CaseRun } from '../steps/context';\nexport type Conn = CaseRun;\n",
      'harness/steps/context.ts': "export interface CaseRun { id: string }\n",
      'harness/suite/a.ts': "import type { B } from './b';\nexport type A = B[];\n",
      'harness/suite/b.ts': "import type { A } from './a';\nexport type B = A | string;\n",
      'harness/misc/helper.ts': "import { RULE_ID_PATTERN } from '../vocabulary/rule-id';\nexport const P = RULE_ID_PATTERN;\n",
      'harness/vocabulary/rule-id.ts': "export const RULE_ID_PATTERN = 'x';\n",
    });
    try {
      expect((await violations(dir.path)).sort()).toEqual([
        'no-circular: harness/suite/a.ts → harness/suite/b.ts → harness/suite/a.ts',
        'not-in-a-layer: harness/misc/helper.ts → harness/vocabulary/rule-id.ts',
        'resources-imports-upwards: harness/net/connection.ts → harness/steps/context.ts',
      ]);
    } finally {
      dir.remove();
    }
  }, 60_000);
});
