import { decodeWithTshark } from './decode-pipeline';

/** The first bytes of a segment's payload kept for the checks and the "why": enough to align an echo. */
const HEAD_BYTES = 64;

/** One TCP segment as tshark decodes it, sequence numbers relative to the connection's start. */
export interface Segment {
  /** tshark's number of the connection (tcp.stream): a port reused later is another stream. */
  stream: number;
  /** ms since the epoch, the kernel's timestamp. */
  at: number;
  srcPort: number;
  dstPort: number;
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  seq: number;
  ackNumber: number;
  len: number;
  window: number;
  /** The first HEAD_BYTES of the payload. */
  head: Buffer;
  retransmission: boolean;
  zeroWindow: boolean;
  /**
   * tshark found a hole before it: the segment follows bytes the capture never held, or
   * acknowledges them ("previous segment not captured", "ACKed segment that wasn't captured").
   */
  afterMissed: boolean;
  /** What a SYN or SYN-ACK offered; undefined on every other segment. */
  synOptions?: SynOptions;
}

/** The options a SYN or SYN-ACK carries that shape the connection's throughput (RFC 9293 §3.7.1, RFC 7323, RFC 2018). */
export interface SynOptions {
  /** The largest segment the sender takes; undefined when the option is missing (536 then, RFC 9293 §3.7.1). */
  mss?: number;
  /** The sender's window scale shift; undefined when the option is missing (no scaling on either side). */
  windowScale?: number;
  sackPermitted: boolean;
}

const FIELDS = [
  'tcp.stream', 'frame.time_epoch', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
  'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.window_size', 'tcp.payload', 'tcp.analysis.retransmission', 'tcp.analysis.zero_window',
  'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.sack_perm', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment',
] as const;

/**
 * Each packet is cut to this many bytes before tshark reads it: link, IP and TCP headers (at most
 * 16 + 60 + 60 bytes) and the first HEAD_BYTES of payload at least. Printing whole payloads was
 * most of a decode's cost: a 32 MiB case took tshark 2.0 s, and 64 MB of hex for this process to
 * parse; cut, 0.6 s and 0.5 MB, with every header field the same.
 */
const SNAP_BYTES = 256;

/**
 * The TCP segments of the connections from `ports` in a capture file (it may still be growing:
 * what is written is read), decoded by tshark from a copy cut to the headers and the first bytes
 * of each payload. Rejects with the tools' own words when they cannot read the file, and when
 * `signal` aborts, having ended them.
 */
export async function readSegments(file: string, ports: readonly number[], signal?: AbortSignal): Promise<Segment[]> {
  // Their payload as plain data: a protocol tshark guesses from a port would take it out of tcp.payload.
  const asData = ports.flatMap((port) => ['-d', `tcp.port==${port},data`]);
  const args = ['-n', ...asData, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])];
  const segments: Segment[] = [];
  await decodeWithTshark({ file, ports, snapBytes: SNAP_BYTES }, args, (line) => {
    const segment = parsed(line.split('\t'));
    if (segment) segments.push(segment);
  }, signal);
  return segments;
}

function parsed(v: string[]): Segment | undefined {
  if (v.length < FIELDS.length || v[0] === '') return undefined;
  const flag = (s: string) => s === '1' || s === 'True';
  return {
    stream: Number(v[0]),
    at: Number(v[1]) * 1000,
    srcPort: Number(v[2]),
    dstPort: Number(v[3]),
    syn: flag(v[4]),
    ack: flag(v[5]),
    fin: flag(v[6]),
    rst: flag(v[7]),
    seq: Number(v[8]),
    ackNumber: Number(v[9]),
    len: Number(v[10]),
    window: Number(v[11]),
    head: Buffer.from(v[12].replace(/:/g, '').slice(0, HEAD_BYTES * 2), 'hex'),
    retransmission: v[13] !== '',
    zeroWindow: v[14] !== '',
    synOptions: flag(v[4]) ? { mss: optionalNumber(v[15]), windowScale: optionalNumber(v[16]), sackPermitted: v[17] !== '' } : undefined,
    afterMissed: v[18] !== '' || v[19] !== '',
  };
}

function optionalNumber(field: string): number | undefined {
  return field === '' ? undefined : Number(field);
}
