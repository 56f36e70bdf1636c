import { describeRecords, recordsOf, type Packet } from '../harness/capture/tls-records';

/** One packet as tshark's JSON gives it (`-T json --no-duplicate-keys -J "frame tls"`), its records as given. */
function packet(at: number, records: Record<string, unknown>[]): Packet {
  return { _source: { layers: { frame: { 'frame.time_epoch': String(at) }, tls: { 'tls.record': records.length === 1 ? records[0] : records } } } };
}

const handshake = (...types: number[]) => ({
  'tls.record.content_type': '22',
  'tls.handshake': types.length === 1 ? { 'tls.handshake.type': String(types[0]) } : types.map((t) => ({ 'tls.handshake.type': String(t) })),
});
const appData = { 'tls.record.opaque_type': '23', 'tls.record.content_type': '23' };

describe("the server's TLS records, from tshark's JSON", () => {
  test('one name per handshake message, repeats counted, alerts with level and name, each record with its packet time', () => {
    const records = recordsOf([
      packet(1.5, [handshake(2), { 'tls.record.content_type': '20' }, { 'tls.record.opaque_type': '23', ...handshake(8, 11, 15, 20) }]),
      packet(1.6, [appData, appData]),
      packet(1.7, [appData, { 'tls.record.opaque_type': '23', 'tls.record.content_type': '21', 'tls.alert_message': { 'tls.alert_message.level': '2', 'tls.alert_message.desc': '50' } }]),
    ]);
    expect(records.map((r) => r.at)).toEqual([1500, 1500, 1500, 1600, 1600, 1700, 1700]);
    expect(records[6].alert).toEqual({ level: 'fatal', description: 'decode_error' });
    expect(describeRecords(records)).toEqual([
      'ServerHello', 'ChangeCipherSpec', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'ApplicationData×3', 'Alert(fatal, decode_error)',
    ]);
  });

  test('what no key opened is said so, not guessed: a TLS 1.3 record stays "encrypted", a TLS 1.2 alert has no name', () => {
    const records = recordsOf([packet(2, [{ 'tls.record.opaque_type': '23' }, { 'tls.record.content_type': '21' }, { 'tls.record.content_type': '22' }])]);
    expect(records.map((r) => r.type)).toEqual(['encrypted', 'alert', 'handshake']);
    expect(describeRecords(records)).toEqual(['Encrypted', 'Alert(encrypted)', 'Handshake(encrypted)']);
  });

  test('an alert code no RFC here names keeps its number; no packets, no records', () => {
    const records = recordsOf([packet(3, [{ 'tls.record.content_type': '21', 'tls.alert_message': { 'tls.alert_message.level': '1', 'tls.alert_message.desc': '201' } }])]);
    expect(describeRecords(records)).toEqual(['Alert(warning, alert 201)']);
    expect(recordsOf([])).toEqual([]);
  });
});
