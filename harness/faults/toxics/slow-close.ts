import { defineToxic, type Toxic, type ToxicOptions } from '../toxic';
import { wait } from '../wait';

export interface SlowCloseOptions extends ToxicOptions {
  /** ms the FIN is held after the last data. */
  delay: number;
}

/** Data passes as is; the FIN in this direction is held `delay` ms, as by a slow-closing peer. */
export function slowClose(options: SlowCloseOptions): Toxic {
  const { delay } = options;
  return defineToxic('slow_close', options, { delay }, ({ emit, signal }) => ({
    data: emit,
    end: () => wait(delay, signal).then(() => undefined),
  }));
}
