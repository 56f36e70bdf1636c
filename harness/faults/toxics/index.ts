import type { Toxic, ToxicType } from '../toxic';
import { bandwidth, type BandwidthOptions } from './bandwidth';
import { latency, type LatencyOptions } from './latency';
import { limitData, type LimitDataOptions } from './limit-data';
import { resetPeer, type ResetPeerOptions } from './reset-peer';
import { slicer, type SlicerOptions } from './slicer';
import { slowClose, type SlowCloseOptions } from './slow-close';
import { timeout, type TimeoutOptions } from './timeout';

export { bandwidth, latency, limitData, resetPeer, slicer, slowClose, timeout };
export { cuts } from './slicer';
export type { BandwidthOptions, LatencyOptions, LimitDataOptions, ResetPeerOptions, SlicerOptions, SlowCloseOptions, TimeoutOptions };

/** A toxic described as data (a suite step, a CLI flag): Toxiproxy's type name and the fields. */
export type ToxicSpec =
  | ({ type: 'latency' } & LatencyOptions)
  | ({ type: 'bandwidth' } & BandwidthOptions)
  | ({ type: 'slicer' } & SlicerOptions)
  | ({ type: 'limit_data' } & LimitDataOptions)
  | ({ type: 'reset_peer' } & ResetPeerOptions)
  | ({ type: 'timeout' } & TimeoutOptions)
  | ({ type: 'slow_close' } & SlowCloseOptions);

const FACTORIES: { [T in ToxicType]: (spec: Extract<ToxicSpec, { type: T }>) => Toxic } = {
  latency,
  bandwidth,
  slicer,
  limit_data: limitData,
  reset_peer: resetPeer,
  timeout,
  slow_close: slowClose,
};

export const TOXIC_TYPES = Object.keys(FACTORIES) as ToxicType[];

/** Builds a toxic from its description; throws on an unknown type or an invalid field. */
export function createToxic(spec: ToxicSpec): Toxic {
  const factory = FACTORIES[spec.type] as ((spec: ToxicSpec) => Toxic) | undefined;
  if (!factory) throw new TypeError(`unknown toxic type ${String(spec.type)} (known: ${TOXIC_TYPES.join(', ')})`);
  return factory(spec);
}
