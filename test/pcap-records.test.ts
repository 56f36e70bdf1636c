import { PcapRecords } from '../harness/capture/pcap-records';

/** A pcap stream as tcpdump writes it (little-endian): the global header, then each record's 16-byte header and data. */
function pcapStream(dataLengths: number[]): { header: Buffer; records: Buffer[] } {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  const records = dataLengths.map((length, i) => {
    const record = Buffer.alloc(16 + length, i + 1);
    record.writeUInt32LE(i, 0);
    record.writeUInt32LE(0, 4);
    record.writeUInt32LE(length, 8);
    record.writeUInt32LE(length, 12);
    return record;
  });
  return { header, records };
}

/** Feeds `stream` to a PcapRecords in chunks of `size` bytes; returns what each chunk gave and the small records seen. */
function cutInto(stream: Buffer, size: number, small = 100) {
  const smallSeen: Buffer[] = [];
  const records = new PcapRecords(small, (record) => smallSeen.push(Buffer.from(record)), () => true);
  const given: Buffer[][] = [];
  for (let at = 0; at < stream.length; at += size) given.push(records.cut(stream.subarray(at, at + size)));
  return { records, given, smallSeen };
}

describe('PcapRecords', () => {
  const { header, records } = pcapStream([60, 0, 1500, 65_535, 3, 70_000, 40]);
  const stream = Buffer.concat([header, ...records]);

  test.each([1, 7, 16, 17, 24, 100, 4096, 65_536, stream.length])('chunks of %i bytes: whole records, every byte once, in order', (size) => {
    const { records: cutter, given, smallSeen } = cutInto(stream, size);
    expect(cutter.header).toEqual(header);
    // Each chunk gives whole records only: their lengths add up to record boundaries.
    const boundaries = new Set<number>([0]);
    records.reduce((at, record) => (boundaries.add(at + record.length), at + record.length), 0);
    let delivered = 0;
    const offRecord: number[] = [];
    for (const pieces of given) {
      delivered += pieces.reduce((sum, piece) => sum + piece.length, 0);
      if (!boundaries.has(delivered)) offRecord.push(delivered);
    }
    expect(offRecord).toEqual([]);
    expect(Buffer.concat(given.flat())).toEqual(Buffer.concat(records));
    expect(smallSeen).toEqual([records[0], records[1], records[4], records[6]]);
  });

  test('a chunk of whole records is given back as a view of itself, not a copy', () => {
    const chunk = Buffer.concat([header, ...records.slice(0, 3)]);
    const { given } = cutInto(chunk, chunk.length);
    expect(given[0]).toHaveLength(1);
    expect(given[0][0].buffer).toBe(chunk.buffer);
  });

  test('reads the record lengths of a big-endian stream', () => {
    const big = Buffer.alloc(24 + 16 + 5);
    big.writeUInt32BE(0xa1b2c3d4, 0);
    big.writeUInt32BE(5, 24 + 8);
    big.writeUInt32BE(5, 24 + 12);
    const { given } = cutInto(big, 30);
    expect(Buffer.concat(given.flat())).toEqual(big.subarray(24));
  });

  test('looks at small records only while asked to', () => {
    let asked = false;
    const seen: Buffer[] = [];
    const cutter = new PcapRecords(100, (record) => seen.push(record), () => asked);
    cutter.cut(Buffer.concat([header, records[0]]));
    asked = true;
    cutter.cut(records[1]);
    expect(seen).toEqual([records[1]]);
  });
});
