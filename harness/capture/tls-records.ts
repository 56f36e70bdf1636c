import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALERT_DESCRIPTIONS } from '../net/tls-alerts';
import { decodeWithTshark } from './decode-pipeline';

/*
 * The TLS records one side of a connection sent, as tshark decodes them from a capture: content
 * type, the handshake messages, the alert, in order, with time. With the case's key log tshark
 * opens the protected records too (TLS 1.3 hides an alert's type and code after ServerHello;
 * TLS 1.2 its code after ChangeCipherSpec), so an alert is known by its name wherever it was sent.
 */

/** tshark's JSON of the records (the application data's bytes in hex among them); a case that sends more is not one to decode. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** A record's header: type, version, length (RFC 8446 §5.1). */
const RECORD_HEADER = 5;

/** Handshake message names by type (RFC 8446 §4, RFC 5246 §7.4). */
const HANDSHAKE_NAMES: Readonly<Record<number, string>> = {
  0: 'HelloRequest', 1: 'ClientHello', 2: 'ServerHello', 4: 'NewSessionTicket', 5: 'EndOfEarlyData', 8: 'EncryptedExtensions',
  11: 'Certificate', 12: 'ServerKeyExchange', 13: 'CertificateRequest', 14: 'ServerHelloDone', 15: 'CertificateVerify',
  16: 'ClientKeyExchange', 20: 'Finished', 22: 'CertificateStatus', 24: 'KeyUpdate', 254: 'MessageHash',
};

/** Record content types (RFC 8446 §5.1). */
const CONTENT_TYPES: Readonly<Record<number, TlsRecord['type']>> = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data', 24: 'heartbeat' };

export interface TlsAlert {
  level: 'warning' | 'fatal' | `level ${number}`;
  /** The RFC's name (`protocol_version`), or `alert N` for a code no RFC here names. */
  description: string;
}

export interface TlsRecord {
  /** ms since the epoch: the time of the packet that completed the record. */
  at: number;
  /** Its bytes on the wire, header included. */
  length: number;
  /** `encrypted`: a protected record tshark had no key for, its real type unknown. */
  type: 'change_cipher_spec' | 'alert' | 'handshake' | 'application_data' | 'heartbeat' | 'encrypted' | `type ${number}`;
  /** The handshake messages a handshake record carries, by name (none when they are encrypted and no key opened them). */
  handshakes: string[];
  alert?: TlsAlert;
}

/**
 * Which records to read: one TCP connection, by its client's port and tshark's number for it
 * (tcp.stream, as readSegments gives it for that port alone: a port reused later is another
 * stream), and the port of the side whose records they are.
 */
export interface RecordSource {
  clientPort: number;
  stream: number;
  senderPort: number;
  /** The port tshark decodes as TLS (the server's), whichever side sent the records. */
  tlsPort: number;
}

/**
 * The records `source.senderPort` sent on connection `source.stream` of the capture `file`, opened
 * with the NSS key log `keyLines` where they are protected. Rejects with the tools' own words when
 * they cannot read the file, and when `signal` aborts, having ended them.
 */
export async function readTlsRecords(file: string, keyLines: readonly string[], source: RecordSource, signal?: AbortSignal): Promise<TlsRecord[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sockspec-tls-'));
  try {
    const keys = path.join(folder, 'keys.log');
    writeFileSync(keys, `${keyLines.join('\n')}\n`, { mode: 0o600 });
    const args = [
      '-n', '-o', `tls.keylog_file:${keys}`, '-d', `tcp.port==${source.tlsPort},tls`,
      '-Y', `tcp.stream == ${source.stream} && tcp.srcport == ${source.senderPort} && tls.record`,
      '-T', 'json', '--no-duplicate-keys', '-J', 'frame tls',
    ];
    let json = '';
    const collect = (line: string) => {
      json += `${line}\n`;
      if (json.length > MAX_JSON_BYTES) throw new Error(`tshark's decoding of the TLS records is over ${MAX_JSON_BYTES / 1024 / 1024} MiB`);
    };
    await decodeWithTshark({ file, ports: [source.clientPort] }, args, collect, signal);
    return recordsOf(JSON.parse(json.trim() || '[]') as Packet[]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The records in tshark's JSON packets (`-T json --no-duplicate-keys -J "frame tls"`), in order. */
export function recordsOf(packets: readonly Packet[]): TlsRecord[] {
  return packets.flatMap((packet) => {
    const layers = packet._source.layers;
    const at = Number(layers.frame?.['frame.time_epoch'] ?? 0) * 1000;
    return all(layers.tls).flatMap((tls) => all(tls['tls.record'] as Json | Json[] | undefined).map((record) => decoded(record, at)));
  });
}

/** E.g. `ServerHello, ChangeCipherSpec, ApplicationData×3, Alert(fatal, decode_error)`: one name per handshake message, repeats counted. */
export function describeRecords(records: readonly TlsRecord[]): string[] {
  const names = records.flatMap(recordNames);
  const out: string[] = [];
  for (let i = 0; i < names.length; ) {
    let n = 1;
    while (names[i + n] === names[i]) n++;
    out.push(n > 1 ? `${names[i]}×${n}` : names[i]);
    i += n;
  }
  return out;
}

function recordNames(r: TlsRecord): string[] {
  if (r.type === 'alert') return [r.alert ? `Alert(${r.alert.level}, ${r.alert.description})` : 'Alert(encrypted)'];
  if (r.type === 'handshake') return r.handshakes.length ? r.handshakes : ['Handshake(encrypted)'];
  if (r.type === 'change_cipher_spec') return ['ChangeCipherSpec'];
  if (r.type === 'application_data') return ['ApplicationData'];
  if (r.type === 'heartbeat') return ['Heartbeat'];
  if (r.type === 'encrypted') return ['Encrypted'];
  return [`Record(${r.type})`];
}

type Json = Record<string, unknown>;
export interface Packet {
  _source: { layers: { frame?: Json; tls?: Json | Json[] } };
}

function decoded(record: Json, at: number): TlsRecord {
  // A TLS 1.3 protected record: opaque_type 23 on the wire; content_type only once a key opened it.
  const type = record['tls.record.content_type'] ?? (record['tls.record.opaque_type'] === undefined ? undefined : 'encrypted');
  const named = type === 'encrypted' ? 'encrypted' : (CONTENT_TYPES[Number(type)] ?? (`type ${Number(type)}` as const));
  const handshakes = named === 'handshake' ? all(record['tls.handshake'] as Json | Json[] | undefined).flatMap(handshakeName) : [];
  const alert = named === 'alert' ? alertOf(record['tls.alert_message'] as Json | undefined) : undefined;
  const length = RECORD_HEADER + Number(record['tls.record.length'] ?? 0);
  return { at, length, type: named, handshakes, ...(alert && { alert }) };
}

function handshakeName(message: Json): string[] {
  const type = message['tls.handshake.type'];
  if (type === undefined) return [];
  return [HANDSHAKE_NAMES[Number(type)] ?? `Handshake${type}`];
}

function alertOf(message: Json | undefined): TlsAlert | undefined {
  const level = message?.['tls.alert_message.level'];
  const description = message?.['tls.alert_message.desc'];
  if (level === undefined || description === undefined) return undefined;
  return {
    level: level === '1' ? 'warning' : level === '2' ? 'fatal' : `level ${Number(level)}`,
    description: ALERT_DESCRIPTIONS[Number(description)] ?? `alert ${Number(description)}`,
  };
}

function all<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
