import { Type } from '@sinclair/typebox';
import { MAX_DURATION_MS } from '../../vocabulary/units';
import { defineToxicKind } from '../toxic';
import { wait } from '../wait';

/**
 * A blackhole: data in its direction is dropped (a FIN still passes), and `timeout` ms after the
 * toxic starts on the connection, the connection is closed. As in Toxiproxy, removing it closes
 * the connection too: bytes were lost, so the stream cannot go on as if nothing happened.
 */
export const timeout = defineToxicKind({
  type: 'timeout',
  summary: 'A blackhole: drops data in its direction and closes the connection timeout ms later (0: never).',
  attributes: {
    timeout: Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'ms until the connection is closed; 0 keeps it open (a pure blackhole)' }),
  },
  stage: ({ timeout: ms }, { close, signal }) => {
    if (ms > 0) void wait(ms, signal).then((elapsed) => elapsed && close());
    return {
      data: () => undefined,
      removed: close,
    };
  },
});
