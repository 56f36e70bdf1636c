const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/**
 * Cuts a pcap stream (tcpdump's `-w -`) into whole records, as the pipe's reads bring it, without
 * copying: `cut` returns views of the chunks it was given. A record that two reads split is held
 * (as views of both) until its end has come. Copying each chunk onto the held rest of the one
 * before instead cost about a second of CPU per builtin run, and as much garbage collection:
 * nearly every 64 KiB loopback packet spans two reads.
 */
export class PcapRecords {
  /** The stream's global header (24 bytes) once it has come; a pcap file of some of the records starts with it. */
  header: Buffer | undefined;
  private headerStart: Buffer = Buffer.alloc(0);
  private littleEndian = true;
  /** The record whose end has not come yet: its pieces, their bytes, and its whole size once its own header has come. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private heldSize: number | undefined;

  /**
   * @param onSmallRecord sees each record shorter than `smallRecord` bytes in one piece (the
   * stream's sync markers are looked for among them); `wantsSmall` says whether to look at all.
   */
  constructor(
    private readonly smallRecord: number,
    private readonly onSmallRecord: (record: Buffer) => void,
    private readonly wantsSmall: () => boolean,
  ) {}

  /** The whole records this chunk completes, in pieces that follow each other (none when it completes none). */
  cut(chunk: Buffer): Buffer[] {
    if (!this.header) {
      chunk = this.takeHeader(chunk);
      if (!this.header) return [];
    }
    const pieces: Buffer[] = [];
    let start = 0;
    if (this.heldBytes > 0) {
      start = this.finishHeld(chunk);
      if (this.heldBytes > 0) return [];
      pieces.push(...this.held);
      this.held = [];
    }
    let end = start;
    while (chunk.length - end >= RECORD_HEADER) {
      const size = RECORD_HEADER + this.dataLength(chunk, end);
      if (chunk.length - end < size) break;
      if (size < this.smallRecord && this.wantsSmall()) this.onSmallRecord(chunk.subarray(end, end + size));
      end += size;
    }
    if (end > start) pieces.push(chunk.subarray(start, end));
    if (end < chunk.length) this.hold(chunk.subarray(end));
    return pieces;
  }

  /** Takes the global header from the stream's first bytes; returns what follows it. */
  private takeHeader(chunk: Buffer): Buffer {
    const bytes = this.headerStart.length ? Buffer.concat([this.headerStart, chunk]) : chunk;
    if (bytes.length < GLOBAL_HEADER) {
      this.headerStart = Buffer.from(bytes);
      return bytes.subarray(bytes.length);
    }
    this.header = Buffer.from(bytes.subarray(0, GLOBAL_HEADER));
    this.headerStart = Buffer.alloc(0);
    // tcpdump writes in its own byte order; the magic number says which.
    const magic = this.header.readUInt32LE(0);
    this.littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    return bytes.subarray(GLOBAL_HEADER);
  }

  /** Holds the start of a record whose end is in a later chunk. */
  private hold(start: Buffer): void {
    this.held = [start];
    this.heldBytes = start.length;
    this.heldSize = start.length >= RECORD_HEADER ? RECORD_HEADER + this.dataLength(start, 0) : undefined;
  }

  /** Adds the held record's next bytes from `chunk`; returns how many it took (heldBytes is back to 0 once the record is whole). */
  private finishHeld(chunk: Buffer): number {
    if (this.heldSize === undefined) {
      // Only some of the record's 16 header bytes came: cheap to join with the rest of them.
      const start = Buffer.concat([...this.held, chunk.subarray(0, RECORD_HEADER)]);
      if (start.length < RECORD_HEADER) {
        this.hold(start);
        return chunk.length;
      }
      this.heldSize = RECORD_HEADER + this.dataLength(start, 0);
    }
    const used = Math.min(this.heldSize - this.heldBytes, chunk.length);
    this.held.push(chunk.subarray(0, used));
    this.heldBytes += used;
    if (this.heldBytes < this.heldSize) return used;
    if (this.heldSize < this.smallRecord && this.wantsSmall()) this.onSmallRecord(Buffer.concat(this.held));
    this.heldBytes = 0;
    this.heldSize = undefined;
    return used;
  }

  /** The captured length of the record whose header starts at `at`. */
  private dataLength(bytes: Buffer, at: number): number {
    return this.littleEndian ? bytes.readUInt32LE(at + 8) : bytes.readUInt32BE(at + 8);
  }
}
