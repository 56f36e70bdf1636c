import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { UdpConnection } from '../net/udp-connection';
import { deadlineFor, endpointFor } from '../run/context';
import { DEFAULT_CONN } from '../run/scope';
import { StepFailure } from '../verdict/failure';
import { toMs } from '../suite/units';
import { ConnName, StepTimeout, defineStep } from './define';
import { SERVICE_NAMES } from '../targets/target';

export const connect = defineStep({
  name: 'connect',
  summary: "Opens a named connection to the suite's service (TCP connect, or a UDP socket aimed at it).",
  shorthand: 'conn',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      service: Type.Optional(Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s)), { description: "defaults to the suite's service" })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `connect ${p.conn ?? DEFAULT_CONN}${p.service ? ` to ${p.service}` : ''}`,
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    const endpoint = endpointFor(ctx.run, p.service);
    const label = ctx.scope.label(name);
    if (endpoint.transport === 'udp') {
      ctx.scope.add(name, await UdpConnection.open(label, endpoint, ctx.run.transcript));
      return;
    }
    const deadline = deadlineFor(ctx, p.timeout === undefined ? undefined : toMs(p.timeout));
    try {
      ctx.scope.add(name, await TcpConnection.connect(label, endpoint, ctx.run.transcript, deadline));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new StepFailure(`could not connect to ${endpoint.host}:${endpoint.port}: ${e.code ?? e.message}`);
    }
  },
});
