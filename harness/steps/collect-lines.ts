import { Type } from '@sinclair/typebox';
import { patienceFor } from './context';
import { StepFailure } from '../verdict/failure';
import { ConnName, StepTimeout, defineStep, onConn } from './define';
import { CaptureName, saveCapture } from './support/captures';
import { lines, listLines, readLines, shown, skippedNote, unreadEvidence, wholeLine, type LinePattern } from './support/line-input';
import { expand } from './support/template';
import { Regex } from '../vocabulary/regex';

export const collectLines = defineStep({
  name: 'collect-lines',
  summary:
    'Reads lines into a named capture for expect-same-order and expect-fifo: `count` lines, or every line before ' +
    'the exact line `until`. Lines matching `skip` are passed over; any other line must match `match` (whole line). ' +
    '`unique` fails on a line received twice. Inside parallel each client has its own capture.',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      as: CaptureName,
      match: Type.Optional(Regex('a regex every collected line must match whole; any line when not given', { placeholders: true })),
      skip: Type.Optional(Regex('a regex: whole lines it matches are read and ignored', { placeholders: true })),
      count: Type.Optional(Type.Integer({ minimum: 1, description: 'collect this many lines' })),
      until: Type.Optional(Type.String({ description: 'collect every line before this exact line (consumed, not collected)' })),
      unique: Type.Optional(Type.Boolean({ description: 'fail when a line arrives a second time' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false, oneOf: [{ required: ['count'] }, { required: ['until'] }] },
  ),
  describe: (p) => `collect ${p.count === undefined ? `lines until ${JSON.stringify(p.until)}` : lines(p.count)} as ${p.as}${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const collector = new Collector({
      where: `${onConn(p.conn)} (capture ${ctx.scope.label(p.as)})`,
      match: p.match === undefined ? undefined : wholeLine(expand(p.match, ctx), 'match'),
      skip: p.skip === undefined ? undefined : wholeLine(expand(p.skip, ctx), 'skip'),
      count: p.count,
      until: p.until === undefined ? undefined : expand(p.until, ctx),
      unique: p.unique ?? false,
    });
    const stopped = await readLines(conn, patienceFor(ctx, p.timeout), (line) => collector.take(line));
    if (stopped !== undefined) throw collector.stalled(stopped, unreadEvidence(conn));
    saveCapture(ctx, p.as, collector.kept);
  },
});

interface Rules {
  where: string;
  match: LinePattern | undefined;
  skip: LinePattern | undefined;
  count: number | undefined;
  until: string | undefined;
  unique: boolean;
}

class Collector {
  readonly kept: string[] = [];
  private skipped = 0;
  /** For `unique`: where each line was first collected. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly rules: Rules) {}

  /** True when this line ends the collection. */
  take(line: string): boolean {
    const { match, skip, count, until, unique } = this.rules;
    if (line === until) return true;
    if (skip?.test(line)) {
      this.skipped++;
      return false;
    }
    if (match && !match.test(line)) throw this.failure(`unexpected line${this.rules.where}: ${shown(line)} ${this.neither()}`);
    if (unique) this.checkFirst(line);
    this.kept.push(line);
    return count !== undefined && this.kept.length === count;
  }

  stalled(why: string, evidence: string[]): StepFailure {
    const { count, until, match } = this.rules;
    const goal = count !== undefined ? `${this.kept.length} of ${lines(count)}` : `${lines(this.kept.length)}, no ${shown(until as string)}`;
    return this.failure(`collected ${goal}${match ? ` matching /${match.source}/` : ''}${this.rules.where}; then ${why}`, evidence);
  }

  private checkFirst(line: string): void {
    const first = this.seen.get(line);
    if (first !== undefined) {
      throw this.failure(`${shown(line)} arrived twice${this.rules.where}: as collected line ${first + 1} and again after line ${this.kept.length}`);
    }
    this.seen.set(line, this.kept.length);
  }

  private neither(): string {
    const { match, skip } = this.rules;
    const pattern = `/${(match as LinePattern).source}/`;
    return skip ? `matches neither ${pattern} nor skip /${skip.source}/` : `does not match ${pattern}`;
  }

  private failure(summary: string, evidence: string[] = []): StepFailure {
    return new StepFailure(summary, [
      ...listLines('collected so far', this.kept),
      ...skippedNote(this.skipped),
      ...evidence,
    ]);
  }
}
