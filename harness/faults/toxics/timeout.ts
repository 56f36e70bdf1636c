import { defineToxic, type Toxic, type ToxicOptions } from '../toxic';
import { wait } from '../wait';

export interface TimeoutOptions extends ToxicOptions {
  /** ms until the connection is closed; 0 keeps it open (a pure blackhole). */
  timeout: number;
}

/**
 * A blackhole: data in its direction is dropped (a FIN still passes), and `timeout` ms after the
 * toxic starts on the connection, the connection is closed. As in Toxiproxy, removing it closes
 * the connection too: bytes were lost, so the stream cannot go on as if nothing happened.
 */
export function timeout(options: TimeoutOptions): Toxic {
  const { timeout: ms } = options;
  return defineToxic('timeout', options, { timeout: ms }, ({ close, signal }) => {
    if (ms > 0) void wait(ms, signal).then((elapsed) => elapsed && close());
    return {
      data: () => undefined,
      removed: close,
    };
  });
}
