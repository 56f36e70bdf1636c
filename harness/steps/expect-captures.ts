import { Type } from '@sinclair/typebox';
import type { StepContext } from './context';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { CheckedRule, defineStep } from './define';
import { CaptureName, capturesNamed, type Capture } from './support/captures';
import { listLines, shown, wholeLine, type LinePattern } from './support/line-input';
import { expand } from './support/template';
import { Regex } from '../vocabulary/regex';

const Captures = Type.Array(CaptureName, {
  minItems: 1,
  description: 'capture names; a name used inside a parallel step means every client\'s capture of it',
});

export const expectSameOrder = defineStep({
  name: 'expect-same-order',
  summary:
    'Checks that the captures agree on order: for every two of them, the lines both hold come in the same ' +
    'relative order (lines only one holds are left out). A line held twice by one capture fails too.',
  schema: Type.Object({ ...CheckedRule, captures: Captures }, { additionalProperties: false }),
  describe: (p) => `expect the same order in ${p.captures.join(', ')}`,
  async run(p, ctx) {
    const all = resolve(ctx, p.captures);
    if (all.length < 2) throw new SuiteUsageError(`expect-same-order needs two captures or more; ${p.captures.join(', ')} gives ${all.length}`);
    for (const capture of all) checkNoRepeats(capture);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) checkPair(all[i], all[j]);
  },
});

export const expectFifo = defineStep({
  name: 'expect-fifo',
  summary:
    'Checks per-key order in each capture: every line must match `pattern` (whole line), whose named groups ' +
    '(?<key>...) and (?<seq>digits) say whose line it is and its number; lines of one key must come with rising numbers.',
  schema: Type.Object(
    {
      ...CheckedRule,
      captures: Captures,
      pattern: Regex('a regex with named groups key (e.g. the sender) and seq (a decimal sequence number)', { placeholders: true }),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect per-key order in ${p.captures.join(', ')}`,
  async run(p, ctx) {
    const source = expand(p.pattern, ctx);
    const pattern = wholeLine(source, 'pattern');
    if (!/\(\?<key>/.test(source) || !/\(\?<seq>/.test(source)) throw new SuiteUsageError(`pattern /${source}/ needs the named groups (?<key>...) and (?<seq>...)`);
    for (const capture of resolve(ctx, p.captures)) checkFifo(capture, pattern);
  },
});

function resolve(ctx: StepContext, names: readonly string[]): Capture[] {
  return names.flatMap((name) => capturesNamed(ctx, name));
}

function checkNoRepeats({ label, lines }: Capture): void {
  const first = new Map<string, number>();
  lines.forEach((line, i) => {
    const earlier = first.get(line);
    if (earlier !== undefined) {
      throw new StepFailure(`${label} holds ${shown(line)} twice (lines ${earlier + 1} and ${i + 1}); a line must arrive once for its order to mean anything`, listLines(label, lines, i));
    }
    first.set(line, i);
  });
}

function checkPair(a: Capture, b: Capture): void {
  const inA = new Set(a.lines);
  const inB = new Set(b.lines);
  // Without repeats, both filtered lists hold the same set of lines, so they have the same length.
  const commonA = a.lines.filter((line) => inB.has(line));
  const commonB = b.lines.filter((line) => inA.has(line));
  const at = commonA.findIndex((line, i) => line !== commonB[i]);
  if (at === -1) return;
  throw new StepFailure(
    `${a.label} and ${b.label} disagree on the order of the ${commonA.length} lines both received: ` +
      `common line ${at + 1} is ${shown(commonA[at])} at ${a.label} but ${shown(commonB[at])} at ${b.label}`,
    [...listLines(`${a.label}, lines also at ${b.label}`, commonA, at), ...listLines(`${b.label}, lines also at ${a.label}`, commonB, at)],
  );
}

function checkFifo({ label, lines }: Capture, pattern: LinePattern): void {
  const last = new Map<string, { seq: number; index: number }>();
  const keyOf = (line: string) => pattern.regex.exec(line)?.groups;
  lines.forEach((line, index) => {
    const groups = keyOf(line);
    if (!groups) throw new StepFailure(`line ${index + 1} of ${label}, ${shown(line)}, does not match /${pattern.source}/`, listLines(label, lines, index));
    const seq = Number(groups.seq);
    const before = last.get(groups.key);
    if (before && seq <= before.seq) {
      const ofKey = lines.filter((l) => keyOf(l)?.key === groups.key);
      throw new StepFailure(
        `${label}: lines of ${JSON.stringify(groups.key)} out of order: ${shown(line)} (line ${index + 1}) came after ${shown(lines[before.index])} (line ${before.index + 1})`,
        listLines(`${label}, lines of ${JSON.stringify(groups.key)} in the order received`, ofKey, ofKey.indexOf(line)),
      );
    }
    last.set(groups.key, { seq, index });
  });
}
