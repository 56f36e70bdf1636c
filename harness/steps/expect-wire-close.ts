import { Type } from '@sinclair/typebox';
import { CheckedRule, ConnName, defineStep, onConn } from './define';
import { Settle, whole, wireConnection } from './support/wire';
import { DEFAULT_CONN } from './support/scope';
import { closes, msAfter, remarkable, type CloseEvent } from '../capture/wire-facts';
import { StepFailure } from '../verdict/failure';

/**
 * Who ended the connection, as the packets show it: what the socket API cannot tell once the
 * client has closed (a reset that arrives after our close is never read) or at all (which FIN
 * left first when both sides close at once).
 */
export const expectWireClose = defineStep({
  name: 'expect-wire-close',
  summary:
    'From the packet capture: the first FIN or RST on the connection came from `first` (client: sockspec; server: the server under test), and the ' +
    "server's side ends as `server` says (fin: never with RST, the server may still be open; rst: with RST). Needs a capture (root and tcpdump, tshark); the case is skipped without.",
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      first: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('server')], { description: 'the side whose FIN or RST is the first of the connection' })),
      server: Type.Optional(Type.Union([Type.Literal('fin'), Type.Literal('rst')], { description: 'fin: the server sends no RST (an orderly close, if it has closed yet); rst: the server reset the connection' })),
      settle: Type.Optional(Settle),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect on the wire${onConn(p.conn)}: ${[p.first && `the ${p.first} closes first`, p.server && `the server ends with ${p.server.toUpperCase()}`].filter(Boolean).join(', ')}`,
  check(p, where, report) {
    if (p.first === undefined && p.server === undefined) report('say what to check: first (client or server), server (fin or rst), or both');
    if (where.transportOf(p.conn) !== 'tcp') report('expect-wire-close checks a TCP connection');
  },
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    // Both verdicts rest on which FIN or RST is missing as much as on which is there.
    const wire = whole(await wireConnection(ctx, name, p.settle), name);
    const origin = ctx.run.capture?.origin ?? 0;
    const seen = closes(wire);
    const said = (e: CloseEvent | undefined) => (e ? `the ${e.side}'s ${e.how.toUpperCase()} at ${msAfter(e.at, origin)}` : 'no FIN or RST');
    const details = remarkable(wire, name, origin);
    if (p.first && seen.first?.side !== p.first) {
      throw new StepFailure(`expected the ${p.first} to end ${name} first; the capture shows ${said(seen.first)} first`, details);
    }
    // fin: the server never resets (a server that has not closed yet breaks no rule of this check); rst: it did reset.
    const breaks = p.server === 'fin' ? seen.server?.how === 'rst' : seen.server?.how !== 'rst';
    if (breaks) {
      throw new StepFailure(`expected the server to end ${name} with ${p.server === 'fin' ? 'FIN, never RST' : 'RST'}; the capture shows ${seen.server ? said(seen.server) : 'neither FIN nor RST from the server'}`, details);
    }
  },
});
