import { fixed } from '../../net/payload';
import type { TcpConnection } from '../../net/tcp-connection';

/** What a busy connection sends, one byte at a time, cycling: one line, ended only when stopped. */
const BUSY_TEXT = Buffer.from('still busy, a byte every 100 ms, the line ends when the wait does; ');
const LINE_END = fixed(Buffer.from('\n'), 'the busy line ends');
const SEND_OPTIONS = { chunk: 0, delay: 0, window: 0 };
const EVERY_MS = 100;

/**
 * Sends one byte on `conn` at once and every 100 ms until stopped, all of one line that stop()
 * ends: another client active all along, as a server must expect while it times out an idle one.
 * A byte is activity even mid-line, so a server whose idle timer only whole lines reset closes
 * this connection. The bytes are owed back like any send: a later `expect: { sent: true }` checks
 * that the busy client was served meanwhile.
 */
export function keepBusy(conn: TcpConnection): { stop(): void } {
  let next = 0;
  const sendByte = () => {
    const at = next++ % BUSY_TEXT.length;
    conn.send(fixed(BUSY_TEXT.subarray(at, at + 1), 'a busy byte'), SEND_OPTIONS);
  };
  sendByte();
  const timer = setInterval(sendByte, EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      conn.send(LINE_END, SEND_OPTIONS);
    },
  };
}
