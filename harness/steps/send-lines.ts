import { Type } from '@sinclair/typebox';
import type { StepContext } from './context';
import { DEFAULT_CONN } from './support/scope';
import { Duration, Size, toBytes, toMs } from '../vocabulary/units';
import { SuiteUsageError } from '../verdict/failure';
import { ConnName, defineStep, onConn } from './define';
import { fixed, type Payload } from '../net/payload';
import { connPlaceholder, expand } from './support/template';

const I = '{{i}}';

export const sendLines = defineStep({
  name: 'send-lines',
  summary:
    'Queues text lines (LF appended) on a TCP connection and goes on at once. `times` sends the line that often, ' +
    '{{i}} being 0, 1, 2, ...; `length` pads each line to that many bytes (LF not counted). With `delay` and no `chunk` each line ' +
    'is a write of its own, `delay` apart; otherwise the lines are written back to back (in `chunk`-byte writes).',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      line: Type.String({ description: 'the line without its LF; placeholders {{i}}, {{client}}, {{conn}} and profile variables' }),
      times: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
      length: Type.Optional(Size),
      fill: Type.Optional(Type.String({ pattern: '^[ -~]$', description: 'the ASCII character `length` pads with; x when not given' })),
      chunk: Type.Optional(Size),
      delay: Type.Optional(Duration),
    },
    { additionalProperties: false },
  ),
  // Each line's length is that of the template (or `length`): {{i}} and the like may make it longer.
  cost: (p) => ({ bytes: (p.times ?? 1) * ((p.length === undefined ? Buffer.byteLength(p.line) : toBytes(p.length)) + 1) }),
  describe: (p) => `send line ${JSON.stringify(p.line)}${p.times ? ` x ${p.times}` : ''}${onConn(p.conn)}`,
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    const conn = ctx.scope.tcp(name);
    const lines = new LineSeries(p.line, ctx, name, p.times ?? 1, p.length === undefined ? undefined : toBytes(p.length), p.fill ?? 'x');
    const delay = p.delay === undefined ? 0 : toMs(p.delay);
    const chunk = p.chunk === undefined ? 0 : toBytes(p.chunk);
    if (delay > 0 && chunk === 0) {
      // One payload per line: TcpConnection pauses `delay` after each write it makes.
      for (let i = 0; i < lines.times; i++) conn.send(fixed(lines.bytes(i), lines.label), { chunk: 0, delay, window: 0 });
    } else {
      conn.send(lines.payload(), { chunk, delay, window: 0 });
    }
  },
});

/** The lines of one send-lines step, made on demand so a flood of any size costs no memory. */
class LineSeries {
  readonly label: string;
  /** The line with every placeholder but {{i}} filled in, once. */
  private readonly base: string;

  constructor(
    template: string,
    ctx: StepContext,
    conn: string,
    readonly times: number,
    private readonly length: number | undefined,
    private readonly fill: string,
  ) {
    this.base = expand(template, ctx, { ...connPlaceholder(ctx, conn), i: I });
    this.label = `line ${JSON.stringify(template)}${times > 1 ? ` x ${times}` : ''}`;
    if (length !== undefined && Buffer.byteLength(this.text(times - 1)) > length) {
      throw new SuiteUsageError(`send-lines: ${JSON.stringify(this.text(times - 1))} is already longer than length ${length}`);
    }
  }

  bytes(i: number): Buffer {
    const text = this.text(i);
    const padding = this.length === undefined ? 0 : this.length - Buffer.byteLength(text);
    return Buffer.from(`${text}${this.fill.repeat(padding)}\n`, 'utf8');
  }

  payload(): Payload {
    return { length: this.totalBytes(), label: this.label, open: () => this.stream() };
  }

  private totalBytes(): number {
    if (this.length !== undefined) return this.times * (this.length + 1);
    let total = 0;
    for (let i = 0; i < this.times; i++) total += Buffer.byteLength(this.text(i)) + 1;
    return total;
  }

  private text(i: number): string {
    return this.base.split(I).join(String(i));
  }

  /** Reads cross line boundaries: a read of n bytes gets whole lines and the start of the next. */
  private stream() {
    let next = 0;
    let rest: Buffer = Buffer.alloc(0);
    return {
      read: (n: number): Buffer => {
        const parts: Buffer[] = [];
        let size = 0;
        while (size < n && (rest.length > 0 || next < this.times)) {
          if (rest.length === 0) rest = this.bytes(next++);
          const piece = rest.subarray(0, n - size);
          rest = rest.subarray(piece.length);
          parts.push(piece);
          size += piece.length;
        }
        return Buffer.concat(parts, size);
      },
    };
  }
}
