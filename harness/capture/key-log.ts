/*
 * Where the TLS secrets of a case's connections go. Every TLS socket the harness opens or accepts
 * belongs to one case, whose transcript it records into: the case's capture registers itself for
 * that transcript, and each socket's 'keylog' lines (NSS key log format) reach it through here,
 * without every step that opens a connection having to carry the capture.
 */

export interface KeyLogSink {
  addKeyLine(line: Buffer | string): void;
}

const sinks = new WeakMap<object, KeyLogSink>();

/** From now on, the key log lines of the connections recording into `transcript` go to `sink`. */
export function logKeysOf(transcript: object, sink: KeyLogSink): void {
  sinks.set(transcript, sink);
}

/** A TLS socket's 'keylog' line, for the case whose transcript it records into (dropped when no capture is kept). */
export function logKey(transcript: object, line: Buffer): void {
  sinks.get(transcript)?.addKeyLine(line);
}
