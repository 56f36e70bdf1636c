import { Type } from '@sinclair/typebox';
import { CheckedRule, ConnName, defineStep, onConn } from './define';
import { wireConnection } from './support/wire';
import { DEFAULT_CONN } from './support/scope';
import { remarkable, synOptions } from '../capture/wire-facts';
import type { SynOptions } from '../capture/segments';
import { CaptureLoss, StepFailure } from '../verdict/failure';

/**
 * What the server's SYN-ACK offers for throughput, which no socket call of the client shows: the
 * largest segment it takes (MSS), window scaling (without it, or with a shift of 0, the window
 * never passes 64 KiB: a server that sets a small SO_RCVBUF before listen gets that), and SACK.
 */
export const expectWireSyn = defineStep({
  name: 'expect-wire-syn',
  summary:
    "From the packet capture: the server's SYN-ACK offers an MSS of at least `mss`, window scaling with a shift of at least `windowScale` " +
    '(a window of up to 64 KiB × 2^shift), and SACK when `sack` is true. Needs a capture (root and tcpdump, tshark); the case is skipped without.',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      mss: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'the least MSS (bytes) the SYN-ACK may offer; a missing option means 536' })),
      windowScale: Type.Optional(Type.Integer({ minimum: 0, maximum: 14, description: 'the least window scale shift the SYN-ACK may offer; a missing option fails' })),
      sack: Type.Optional(Type.Boolean({ description: 'true: the SYN-ACK offers SACK (SACK permitted)' })),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect on the wire${onConn(p.conn)}: the server's SYN-ACK offers ${wanted(p).join(', ')}`,
  check(p, where, report) {
    if (where.transportOf(p.conn) !== 'tcp') report('expect-wire-syn checks a TCP connection');
    if (wanted(p).length === 0) report('say what to check: mss, windowScale, sack');
  },
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    const wire = await wireConnection(ctx, name, undefined);
    const offered = synOptions(wire, 'server');
    const origin = ctx.run.capture?.origin ?? 0;
    // A capture that missed the handshake (tcpdump drops packets when it falls behind) says nothing of the server.
    if (!offered) throw new CaptureLoss(`the capture holds no SYN-ACK of ${name}: it missed the handshake`);
    const short: string[] = [];
    // RFC 9293 §3.7.1: without the option the sender assumes 536.
    if (p.mss !== undefined && (offered.mss ?? 536) < p.mss) short.push(`an MSS of at least ${p.mss}`);
    if (p.windowScale !== undefined && (offered.windowScale ?? -1) < p.windowScale) short.push(`a window scale shift of at least ${p.windowScale}`);
    if (p.sack && !offered.sackPermitted) short.push('SACK');
    if (short.length) throw new StepFailure(`expected the server's SYN-ACK on ${name} to offer ${short.join(', ')}; it offered ${described(offered)}`, remarkable(wire, name, origin));
  },
});

function wanted(p: { mss?: number; windowScale?: number; sack?: boolean }): string[] {
  return [p.mss !== undefined && `an MSS of at least ${p.mss}`, p.windowScale !== undefined && `a window scale shift of at least ${p.windowScale}`, p.sack && 'SACK'].filter(
    (s): s is string => typeof s === 'string',
  );
}

/** The options as a sentence: `MSS 65495, window scale 10, SACK permitted`. */
export function described(o: SynOptions): string {
  return [o.mss === undefined ? 'no MSS option' : `MSS ${o.mss}`, o.windowScale === undefined ? 'no window scaling' : `window scale ${o.windowScale}`, o.sackPermitted ? 'SACK permitted' : 'no SACK'].join(', ');
}
