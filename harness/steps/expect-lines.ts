import { Type } from '@sinclair/typebox';
import { patienceFor } from './context';
import { StepFailure } from '../verdict/failure';
import { CheckedRule, ConnName, StepTimeout, defineStep, onConn } from './define';
import { lines, listLines, readLines, shown, skippedNote, unreadEvidence, wholeLine } from './support/line-input';
import { expand } from './support/template';
import { Regex } from '../vocabulary/regex';

const FORMS = ['lines', 'patterns'] as const;

/** One expected line: how messages name it, how lists show it, and whether a received line is it. */
interface Expected {
  readonly shown: string;
  readonly listed: string;
  test(line: string): boolean;
}

export const expectLines = defineStep({
  name: 'expect-lines',
  summary:
    'Reads the next lines and compares them, in order, with `lines` (exact text) or `patterns` (regexes matching ' +
    'whole lines). Lines matching `skip` are passed over. With `until`, reading goes on to that exact line and ' +
    'no other line may come before it: `lines: []` with `until` proves that nothing else arrived.',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      lines: Type.Optional(Type.Array(Type.String(), { description: 'the exact lines, without terminators' })),
      patterns: Type.Optional(Type.Array(Regex('a regex the line must match whole', { placeholders: true }), { description: 'one regex per line, matching the whole line' })),
      until: Type.Optional(Type.String({ description: 'the exact line that ends the read; consumed, not compared' })),
      skip: Type.Optional(Regex('a regex: whole lines it matches are read and ignored', { placeholders: true })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false, oneOf: FORMS.map((form) => ({ required: [form] })) },
  ),
  check(p, _where, report) {
    if (p.until === undefined && (p.lines ?? p.patterns ?? []).length === 0) report('with no lines it needs `until`, the line that ends the read');
  },
  describe: (p) => `expect ${lines((p.lines ?? p.patterns ?? []).length)}${p.until === undefined ? '' : ` until ${JSON.stringify(p.until)}`}${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const expected: Expected[] = p.lines
      ? p.lines.map((line) => exactly(expand(line, ctx)))
      : (p.patterns ?? []).map((source) => matching(expand(source, ctx)));
    const until = p.until === undefined ? undefined : expand(p.until, ctx);
    const skip = p.skip === undefined ? undefined : wholeLine(expand(p.skip, ctx), 'skip');
    const check = new LineCheck(expected, until, onConn(p.conn));
    const stopped = await readLines(conn, patienceFor(ctx, p.timeout), (line) => {
      if (line !== until && skip?.test(line)) {
        check.skipped++;
        return false;
      }
      return check.take(line);
    });
    if (stopped !== undefined) throw check.stalled(stopped, unreadEvidence(conn));
  },
});

function exactly(text: string): Expected {
  return { shown: shown(text), listed: shown(text), test: (line) => line === text };
}

function matching(source: string): Expected {
  const pattern = wholeLine(source, `pattern /${source}/`);
  return { shown: `a line matching /${source}/`, listed: `/${source}/`, test: (line) => pattern.test(line) };
}

/** Compares lines as they arrive, so a wrong line fails at once rather than at the timeout. */
class LineCheck {
  readonly received: string[] = [];
  skipped = 0;

  constructor(
    private readonly expected: readonly Expected[],
    private readonly until: string | undefined,
    private readonly where: string,
  ) {}

  /** True when this line ends the read. */
  take(line: string): boolean {
    const n = this.received.length;
    if (line === this.until) {
      if (n < this.expected.length) throw this.failure(`received ${shown(line)} after ${n} of ${lines(this.expected.length)} expected`, n);
      return true;
    }
    this.received.push(line);
    if (n >= this.expected.length) {
      throw this.failure(`expected ${shown(this.until as string)} after ${lines(this.expected.length)}${this.where}, received another line: ${shown(line)}`, n);
    }
    if (!this.expected[n].test(line)) {
      throw this.failure(`line ${n + 1}${this.where} differs: expected ${this.expected[n].shown}, received ${shown(line)}`, n);
    }
    return this.until === undefined && this.received.length === this.expected.length;
  }

  stalled(why: string, evidence: string[]): StepFailure {
    const wanted = `${lines(this.expected.length)}${this.until === undefined ? '' : ` and then ${shown(this.until)}`}`;
    return this.failure(`expected ${wanted}${this.where}; received ${this.received.length}, then ${why}`, this.received.length, evidence);
  }

  private failure(summary: string, at: number, evidence: string[] = []): StepFailure {
    return new StepFailure(summary, [
      ...listLines('received', this.received, at < this.received.length ? at : -1),
      ...listLines('expected', this.expected.map((e) => e.listed), at, (listed) => listed),
      ...skippedNote(this.skipped),
      ...evidence,
    ]);
  }
}
