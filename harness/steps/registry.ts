import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { StepKind } from './define';
import { connect } from './connect';
import { send } from './send';
import { expect } from './expect';
import { expectSilence } from './expect-silence';
import { expectClose } from './expect-close';
import { expectTls } from './expect-tls';
import { expectRefused } from './expect-refused';
import { expectSelection } from './expect-selection';
import { close, halfClose, reset, resumeReading, stopReading } from './close';
import { concurrently } from './concurrently';
import { waitForSends } from './wait-for-sends';
import { faults } from './faults';
import { network } from './network';
import { blackhole } from './blackhole';
import { expectIdleClose } from './expect-idle-close';
import { sleep } from './sleep';
import { parallel, repeat } from './parallel';
import { sendLines } from './send-lines';
import { expectLines } from './expect-lines';
import { collectLines } from './collect-lines';
import { expectFifo, expectSameOrder } from './expect-captures';
import { barrier } from './barrier';
import { join } from './join';
import { launch } from './launch';
import { stopServer } from './stop-server';
import { holdPort } from './hold-port';
import { expectTimeWait } from './expect-time-wait';
import { startClientStep } from './start-client';
import { accept } from './accept';
import { expectClientExit } from './expect-client-exit';
import { receiveDatagram } from './receive-datagram';
import { sendDatagram } from './send-datagram';
import { dropDatagram } from './drop-datagram';
import { expectNoNewRequest } from './expect-no-new-request';
import { expectRetransmissions } from './expect-retransmissions';
import { expectHandshake } from './expect-handshake';
import { expectAttempts } from './expect-attempts';
import { ramp } from './ramp';
import { connectionRate } from './connection-rate';
import { throughput } from './throughput';
import { latency } from './latency';
import { fanout } from './fanout';
import { datagramRate } from './datagram-rate';
import { expectWireClose } from './expect-wire-close';
import { expectWireWindow } from './expect-wire-window';
import { expectWireSyn } from './expect-wire-syn';
import { expectWireTls } from './expect-wire-tls';

/** Every step kind a suite may use, in the order the docs list them. */
export const STEP_KINDS = [connect, send, expect, expectSilence, halfClose, close, reset, expectClose, expectTls, expectRefused, expectSelection, sleep, parallel, repeat, concurrently, stopReading, resumeReading, waitForSends, faults, network,
  blackhole, expectIdleClose,
  launch, stopServer, holdPort, expectTimeWait,
  sendLines, expectLines, collectLines, expectSameOrder, expectFifo, barrier, join,
  startClientStep, accept, expectClientExit,
  receiveDatagram, sendDatagram, dropDatagram, expectNoNewRequest, expectRetransmissions, expectHandshake, expectAttempts,
  ramp, connectionRate, throughput, latency,
  fanout, datagramRate,
  expectWireClose, expectWireWindow, expectWireSyn, expectWireTls] as const;

type Kinds = (typeof STEP_KINDS)[number];
type ParamsOf<K> = K extends StepKind<infer S> ? Static<S> : never;

/** A step as written in a suite: one key, the kind's name, holding its parameters. */
export type Step = { [K in Kinds as K['name']]: { [N in K['name']]: ParamsOf<K> } }[Kinds['name']];

const byName = new Map<string, StepKind>(STEP_KINDS.map((kind) => [kind.name, kind as unknown as StepKind]));

export function stepKind(name: string): StepKind | undefined {
  return byName.get(name);
}

export function stepKindNames(): string[] {
  return [...byName.keys()];
}

/** Whether `- kind:` with nothing after it means "all defaults": an object schema with no required field. */
export function takesEmpty(kind: StepKind): boolean {
  return kind.schema.type === 'object' && !(kind.schema.required as string[] | undefined)?.length;
}

/** The JSON Schema of one step (any kind), as editors see it: shorthands included. */
export function stepSchema(): TSchema {
  return Type.Union(
    STEP_KINDS.map((kind) => {
      const forms: TSchema[] = [kind.schema];
      if (takesEmpty(kind as unknown as StepKind)) forms.unshift(Type.Null());
      if (kind.shorthand) forms.unshift(Type.String());
      const params: TSchema = forms.length === 1 ? kind.schema : Type.Union(forms);
      return Type.Object({ [kind.name]: params }, { additionalProperties: false, description: kind.summary });
    }),
  );
}
