import { createHash } from 'node:crypto';
import type { TcpConnection } from '../../net/tcp-connection';
import type { Patience, WaitResult } from '../../net/waiter';
import { dump } from '../../verdict/bytes';
import { StepFailure, SuiteUsageError } from '../../verdict/failure';
import { formatBytes } from '../../vocabulary/units';
import { windowFull } from './line-input';
import { decodeUtf8, describeRanges, type DecodedText } from './utf8-text';

function whyStopped(conn: TcpConnection, waited: WaitResult, patience: Patience): string {
  return conn.endDescription() ?? patience.why(waited);
}

function pending(conn: TcpConnection): string[] {
  const bytes = conn.peek();
  return bytes.length ? dump('received', 0, bytes, 4) : ['nothing unread was received'];
}

/**
 * Waits until the unread text matches, then consumes the bytes the match covers: the text is decoded
 * with byte offsets kept, so an invalid byte (U+FFFD to the regex) is one byte, and a character whose
 * first bytes end what has arrived is waited for rather than matched as U+FFFD.
 */
export async function expectRegex(conn: TcpConnection, source: string, patience: Patience): Promise<void> {
  const regex = compile(source);
  let match: RegExpExecArray | null = null;
  let decoded: DecodedText | undefined;
  const waited = await conn.waiter.until(
    () => {
      decoded = decodeUtf8(conn.peek(), conn.ended);
      match = regex.exec(decoded.text);
      return match !== null || conn.ended || conn.full;
    },
    patience.deadline,
    patience.signal,
  );
  const found = match as RegExpExecArray | null;
  if (!found) {
    const why = windowFull(conn, 'without a match', 'the text a match may span') ?? whyStopped(conn, waited, patience);
    throw new StepFailure(`expected text matching /${source}/; ${why} first`, [...pending(conn), ...notUtf8((decoded as DecodedText).invalid)]);
  }
  conn.consume((decoded as DecodedText).byteOffset(found.index + found[0].length));
}

/** Why a regex that looks right may not match: the bytes it should cover are not UTF-8. */
function notUtf8(invalid: DecodedText['invalid']): string[] {
  return invalid.length ? [`not valid UTF-8 (the regex sees U+FFFD for them): bytes ${describeRanges(invalid)}`] : [];
}

function compile(source: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch (err) {
    throw new SuiteUsageError(`not a valid regex: /${source}/: ${(err as Error).message}`);
  }
}

/** Consumes one line (LF-terminated; a CR before it is dropped) and compares it. */
export async function expectLine(conn: TcpConnection, expected: string, patience: Patience): Promise<void> {
  const waited = await conn.waiter.until(() => conn.peek().includes(0x0a) || conn.ended || conn.full, patience.deadline, patience.signal);
  const unread = conn.peek();
  const end = unread.indexOf(0x0a);
  if (end < 0) {
    const why = windowFull(conn, 'without a line end', 'a line') ?? `${whyStopped(conn, waited, patience)} before a line ended`;
    throw new StepFailure(`expected the line ${JSON.stringify(expected)}; ${why}`, pending(conn));
  }
  const line = conn.consume(end + 1).toString('utf8').replace(/\r?\n$/, '');
  if (line !== expected) {
    throw new StepFailure(`expected the line ${JSON.stringify(expected)}, received ${JSON.stringify(line)}`);
  }
}

/** Consumes `length` bytes and compares their SHA-256 with the given digest. */
export async function expectDigest(conn: TcpConnection, length: number, sha256: string, patience: Patience): Promise<void> {
  const hash = createHash('sha256');
  let taken = 0;
  while (taken < length) {
    const waited = await conn.waiter.until(() => conn.available > 0 || conn.ended, patience.deadline, patience.signal);
    if (conn.available === 0) {
      throw new StepFailure(`expected ${formatBytes(length)} with SHA-256 ${sha256}, received ${formatBytes(taken)}; then ${whyStopped(conn, waited, patience)}`);
    }
    const chunk = conn.consume(Math.min(conn.available, length - taken));
    hash.update(chunk);
    taken += chunk.length;
    patience.progress();
  }
  const actual = hash.digest('hex');
  if (actual !== sha256.toLowerCase()) {
    throw new StepFailure(`expected ${formatBytes(length)} with SHA-256 ${sha256}, received bytes with SHA-256 ${actual}`);
  }
}
