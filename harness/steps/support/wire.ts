import type { StepContext } from '../context';
import { toleranceFor } from '../context';
import { sleep } from '../../net/waiter';
import { NoEvidence } from '../../verdict/failure';
import type { WireSnapshot } from '../../capture/wire-facts';
import { DescribedDuration } from '../../vocabulary/units';

/** How long a wire check waits by default for the packets its connection's last steps caused (a FIN answered, a reset). */
const SETTLE = '200ms';

export const Settle = DescribedDuration(
  `how long to wait for the packets the steps before caused (the server's answer to our close) before reading the capture (default ${SETTLE}; scaled by --time-scale)`,
);

/**
 * The wire's view of connection `conn`, once its last packets had `settle` to arrive: what every
 * wire check reads. A case without a capture never gets here (the run skips it with the reason);
 * a connection the capture does not hold is a failure with no evidence, never a pass.
 */
export async function wireConnection(ctx: StepContext, conn: string, settle: string | number | undefined): Promise<WireSnapshot> {
  const capture = ctx.run.capture;
  if (!capture) throw new NoEvidence('this check reads the case\'s packet capture, and the case has none');
  await sleep(toleranceFor(ctx, settle ?? SETTLE), ctx.run.signal);
  let wire: WireSnapshot | undefined;
  try {
    // A decode still running at the case's deadline is ended with the case.
    wire = await capture.connection(conn, ctx.run.signal);
  } catch (err) {
    throw new NoEvidence(`could not read the packet capture: ${(err as Error).message}`);
  }
  if (!wire) {
    const port = capture.localPortOf(conn);
    throw new NoEvidence(port === undefined ? `connection ${conn} never connected, so the capture holds nothing of it` : `the capture holds no packet of ${conn} (local port ${port})`);
  }
  return wire;
}
