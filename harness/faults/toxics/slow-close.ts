import { Type } from '@sinclair/typebox';
import { MAX_DURATION_MS } from '../../vocabulary/units';
import { defineToxicKind } from '../toxic';
import { wait } from '../wait';

/** Data passes as is; the FIN in this direction is held `delay` ms, as by a slow-closing peer. */
export const slowClose = defineToxicKind({
  type: 'slow_close',
  summary: 'Passes data as is and holds the FIN in its direction delay ms.',
  attributes: {
    delay: Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'ms the FIN is held after the last data' }),
  },
  stage: ({ delay }, { emit, signal }) => ({
    data: emit,
    end: () => wait(delay, signal).then(() => undefined),
  }),
});
