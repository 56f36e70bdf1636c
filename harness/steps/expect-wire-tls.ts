import { Type } from '@sinclair/typebox';
import { CheckedRule, ConnName, defineStep, onConn } from './define';
import { deadlineFor, type StepContext } from './context';
import { Settle, wireConnection } from './support/wire';
import { DEFAULT_CONN } from './support/scope';
import { describeRecords, readTlsRecords, type TlsRecord } from '../capture/tls-records';
import { closes, dataSent, sideOf, type WireConnection } from '../capture/wire-facts';
import { ALERT_DESCRIPTIONS } from '../net/tls-alerts';
import { sleep } from '../net/waiter';
import { CaptureLoss, NoEvidence, StepFailure } from '../verdict/failure';

const ALERT_NAMES = Object.values(ALERT_DESCRIPTIONS);
const AlertName = Type.Union(ALERT_NAMES.map((name) => Type.Literal(name)));

/**
 * What the server's TLS records say, as the packets show them with the case's key log: the alert
 * it sent (the socket API gives at most "an alert came", and nothing of an encrypted one when the
 * handshake failed) and whether close_notify came before its FIN.
 */
export const expectWireTls = defineStep({
  name: 'expect-wire-tls',
  summary:
    "From the packet capture, opened with the case's TLS key log: the server's first alert is `alert` (one name, or any of a list; `none`: " +
    'the server sent no alert), and with `closeNotify: true` the server sent close_notify before its FIN or RST. A failure shows the ' +
    "server's records as decoded, with its FIN or RST. Judged once the capture holds the connection's end (within the step's timeout). " +
    'Needs a capture (root and tcpdump, tshark); the case is skipped without.',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      alert: Type.Optional(
        Type.Union([Type.Literal('none'), AlertName, Type.Array(AlertName, { minItems: 1 })], {
          description: "the server's first alert by its RFC 8446 §6 name (close_notify counts), any of a list, or none: no alert at all",
        }),
      ),
      closeNotify: Type.Optional(Type.Literal(true, { description: 'the server sent a close_notify alert, and no FIN or RST before it' })),
      settle: Type.Optional(Settle),
    },
    { additionalProperties: false },
  ),
  describe: (p) =>
    `expect on the wire${onConn(p.conn)}: ${[p.alert !== undefined && `the server's alert is ${[p.alert].flat().join(' or ')}`, p.closeNotify && 'close_notify before the FIN'].filter(Boolean).join(', ')}`,
  check(p, where, report) {
    if (p.alert === undefined && p.closeNotify === undefined) report('say what to check: alert (a name, a list, or none), closeNotify, or both');
    if (where.transportOf(p.conn) !== 'tcp') report('expect-wire-tls checks a TCP connection');
  },
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    const wire = await closedOnTheWire(ctx, name, p.settle);
    const records = await serverRecords(ctx, wire, name);
    const end = closes(wire).server;
    const seen = `server: ${[...describeRecords(records), ...(end ? [end.how.toUpperCase()] : [])].join(', ') || 'nothing'}`;
    const alerts = records.filter((r) => r.type === 'alert');
    if (p.alert !== undefined) {
      const first = alerts[0];
      const wanted = [p.alert].flat();
      const ok = p.alert === 'none' ? first === undefined : first?.alert !== undefined && wanted.includes(first.alert.description);
      if (!ok) {
        const got = first === undefined ? 'no alert' : first.alert ? `${first.alert.level} ${first.alert.description}` : 'an alert no key in the key log opened';
        throw new StepFailure(`expected ${p.alert === 'none' ? 'no alert' : `the server's first alert to be ${wanted.join(' or ')}`} on ${name}; the server sent ${got}`, [seen]);
      }
    }
    if (p.closeNotify) {
      const closeNotify = alerts.find((r) => r.alert?.description === 'close_notify');
      if (!closeNotify || (end && end.at < closeNotify.at)) {
        const why = closeNotify ? `its ${end?.how.toUpperCase()} came first` : 'no close_notify came';
        throw new StepFailure(`expected the server to send close_notify before its FIN on ${name}; ${why}`, [seen]);
      }
    }
  },
});

/** How often the capture is read again while the server's close, or its records, are not all in it yet. */
const REREAD_MS = 250;
/** How many times the records are decoded before a short decode is given up on. */
const DECODE_ATTEMPTS = 3;

/**
 * The wire's view of `name` once it holds its end (the server's FIN or RST, or the client's RST)
 * and every byte the server sent before it: an alert, close_notify or their absence is judged on the whole of the server's
 * side. Read again until the step's timeout; a capture still short then (tcpdump loses packets
 * on a machine loaded enough) gives no evidence rather than a verdict on half of it.
 */
async function closedOnTheWire(ctx: StepContext, name: string, settle: string | number | undefined): Promise<WireConnection> {
  const deadline = deadlineFor(ctx, undefined);
  let wire = await wireConnection(ctx, name, settle);
  for (;;) {
    const hole = holeInServerStream(wire);
    // Once the client has reset the connection (a refused handshake's client often has), the server can send nothing more.
    const ended = closes(wire).server !== undefined || wire.segments.some((s) => s.rst && sideOf(wire, s) === 'client');
    if (ended && hole === undefined) return wire;
    if (Date.now() >= deadline) {
      if (hole !== undefined) throw new CaptureLoss(`the capture lacks the server's bytes from offset ${hole} on ${name} (lost by the capture): its TLS records cannot be read`);
      throw new NoEvidence(`the capture shows no end of ${name} (the server's FIN or RST, or our RST): the server has not closed, or the capture lost its last packets`);
    }
    await sleep(REREAD_MS, ctx.run.signal);
    wire = await wireConnection(ctx, name, 0);
  }
}

/** The server's records of `wire`, decoded from the case's capture with its key log. */
async function serverRecords(ctx: StepContext, wire: WireConnection, name: string): Promise<TlsRecord[]> {
  const capture = ctx.run.capture as NonNullable<typeof ctx.run.capture>;
  const source = { clientPort: wire.clientPort, stream: wire.segments[0].stream, senderPort: wire.serverPort, tlsPort: wire.serverPort };
  const sent = dataSent(wire, 'server');
  let decoded = 0;
  for (let attempt = 1; ; attempt++) {
    let records: TlsRecord[];
    try {
      const { file, keyLines } = await capture.withKeys();
      records = await readTlsRecords(file, keyLines, source, ctx.run.signal);
    } catch (err) {
      throw new NoEvidence(`could not read the TLS records of the capture: ${(err as Error).message}`);
    }
    // Every byte the server sent is in a record, or the list says less than the wire: tshark
    // reading the raw file while it grows was seen to decode a session's first flight only.
    decoded = records.reduce((sum, r) => sum + r.length, 0);
    if (decoded === sent) return records;
    if (attempt === DECODE_ATTEMPTS) break;
    await sleep(REREAD_MS, ctx.run.signal);
  }
  throw new NoEvidence(`tshark decoded ${decoded} of the ${sent} byte(s) the server sent on ${name} as TLS records: the rest is not TLS, or was not decoded`);
}

/** The first offset of the server's stream the capture lacks (a packet the capture lost), or undefined when it holds every byte up to the last. */
function holeInServerStream(wire: WireConnection): number | undefined {
  let end = 1;
  const own = wire.segments.filter((s) => sideOf(wire, s) === 'server' && s.len > 0).sort((a, b) => a.seq - b.seq);
  for (const s of own) {
    if (s.seq > end) return end - 1;
    end = Math.max(end, s.seq + s.len);
  }
  return undefined;
}
