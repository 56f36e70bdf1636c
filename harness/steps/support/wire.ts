import type { StepContext } from '../context';
import { toleranceFor } from '../context';
import { sleep } from '../../net/waiter';
import { CaptureLoss, NoEvidence } from '../../verdict/failure';
import { captureHoles, type WireSnapshot } from '../../capture/wire-facts';
import { DescribedDuration } from '../../vocabulary/units';

/** How long a wire check waits by default for the packets its connection's last steps caused (a FIN answered, a reset). */
const SETTLE = '200ms';

export const Settle = DescribedDuration(
  `how long to wait for the packets the steps before caused (the server's answer to our close) before reading the capture (default ${SETTLE}; scaled by --time-scale)`,
);

/**
 * The wire's view of connection `conn`, once its last packets had `settle` to arrive: what every
 * wire check reads. A case without a capture never gets here (the run skips it with the reason);
 * a connection the capture does not hold is a failure with no evidence, never a pass. The
 * capture may hold it with holes (tcpdump fell behind a busy machine and the kernel dropped some
 * of its packets): a check whose verdict rests on a packet not being there asks `whole` first.
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
    if (port === undefined) throw new NoEvidence(`connection ${conn} never connected, so the capture holds nothing of it`);
    throw new CaptureLoss(`the capture holds no packet of ${conn} (local port ${port}), which did connect: tcpdump missed them`);
  }
  return wire;
}

/**
 * `wire`, when the capture holds it without holes; else CaptureLoss: a missing packet would read as
 * one the server never sent, a missing retransmission as none. The run runs such a case again.
 */
export function whole(wire: WireSnapshot, conn: string): WireSnapshot {
  const holes = captureHoles(wire);
  if (holes > 0) throw new CaptureLoss(`the capture of ${conn} has ${holes} hole(s) where tcpdump missed its packets (a busy machine), so it cannot tell what the server sent there`);
  return wire;
}
