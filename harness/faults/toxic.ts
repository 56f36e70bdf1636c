import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Random } from './random';

/**
 * The shared shape of every toxic, in Toxiproxy's vocabulary. A `Toxic` is immutable configuration
 * that can be added to many proxies; for each connection it applies to, `stage()` makes a small
 * per-connection object that sees that direction's chunks in order and decides what to pass on and
 * when. A kind of toxic is one file in ./toxics that calls `defineToxicKind`, listed in ./toxics/registry.ts.
 */

/** 'upstream' is client → server, 'downstream' server → client (Toxiproxy's `stream`). */
export type Direction = 'upstream' | 'downstream';

export const DIRECTIONS: readonly Direction[] = ['upstream', 'downstream'];

/** Bytes read from one socket, with when they became available to the stage that sees them. */
export interface Chunk {
  readonly data: Buffer;
  /** performance.now() when the bytes were read, or when a delaying stage released them. */
  readonly at: number;
}

/** What a stage may do to its connection. */
export interface StageContext {
  /** Passes bytes to the next stage; resolves once that stage can take more (backpressure). */
  emit(chunk: Chunk): Promise<void>;
  /** Uniform in [0, 1), from the stream seeded by the proxy's seed, the connection and the toxic. */
  readonly random: Random;
  /** Ends this direction here (a FIN after what was emitted), then closes the whole connection. */
  close(): void;
  /** Resets both sides of the connection (RST to the client and to the server) at once. */
  reset(): void;
  /** Aborted when the toxic is removed from this connection or the connection ends: waits stop. */
  readonly signal: AbortSignal;
}

/**
 * One toxic on one connection, in one direction. Chunks arrive one at a time, in order: the next
 * arrives only when `data()` has settled, and at most `bufferBytes` wait in front of the stage, so
 * a slow stage slows the sender instead of buffering without bound. Once its signal is aborted a
 * stage should pass what it holds on at once (Toxiproxy: "don't drop any data on the floor").
 */
export interface ToxicStage {
  /** Bytes allowed to queue in front of this stage (default 64 KiB). */
  readonly bufferBytes?: number;
  data(chunk: Chunk): Promise<void> | void;
  /** The sender's FIN, after all its data; the FIN goes on when this settles (default: at once). */
  end?(): Promise<void> | void;
  /** The toxic was removed while the connection lives (Toxiproxy's Cleanup). */
  removed?(): void;
}

/** The fields every toxic takes besides its own attributes (Toxiproxy's, but for `direction`). */
export const TOXIC_OPTIONS = {
  direction: Type.Optional(Type.Union(DIRECTIONS.map((d) => Type.Literal(d)), { description: 'upstream: client to server; downstream (default): server to client' })),
  toxicity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'probability it applies to a connection (seeded); default 1' })),
};

export type ToxicOptions = Static<TObject<typeof TOXIC_OPTIONS>> & {
  /** The id `addToxic` returns; default `<type>_<direction>` (numbered if taken). */
  name?: string;
};

/** Spellings accepted for a field besides its own: Toxiproxy's `stream` is sockspec's `direction`. */
export const OPTION_ALIASES: Readonly<Record<string, string>> = { stream: 'direction' };

export interface Toxic {
  /** Its kind's type name, as in Toxiproxy. */
  readonly type: string;
  readonly direction: Direction;
  readonly toxicity: number;
  readonly name?: string;
  /** The toxic's own attributes as given (ms, KB/s, bytes, µs as in Toxiproxy), for reports. */
  readonly attributes: Readonly<Record<string, unknown>>;
  stage(context: StageContext): ToxicStage;
}

/**
 * One kind of toxic: its Toxiproxy type name, its attributes' schema (which is also their
 * TypeScript type and their part of the `faults` step's schema) and its behaviour. Adding one is a
 * file that calls `defineToxicKind` and a line in ./toxics/registry.ts; the suite schema and the
 * docs check follow from the list.
 */
export interface ToxicKindDefinition<T extends string, A extends TProperties> {
  readonly type: T;
  /** One sentence for docs and editors. */
  readonly summary: string;
  /** Its own attributes, under Toxiproxy's names and in its units, each one bounded. */
  readonly attributes: A;
  /** Other spellings still accepted for an attribute (alias → attribute), e.g. sockspec's older camelCase. */
  readonly aliases?: Readonly<Record<string, keyof A & string>>;
  /** A rule between attributes a schema cannot say: the problem in words, or undefined. */
  check?(attributes: Static<TObject<A>>): string | undefined;
  /** What the toxic does to one connection in one direction. */
  stage(attributes: Static<TObject<A>>, context: StageContext): ToxicStage;
}

export interface ToxicKind<T extends string = string, A extends TProperties = TProperties> extends ToxicKindDefinition<T, A> {
  /** Every field of one toxic of this kind, under its own names (aliases are the registry's business). */
  readonly schema: TObject<TProperties>;
  /** A toxic of this kind; throws a RangeError naming the field when one is out of its bounds. */
  create(spec: ToxicOptions & Static<TObject<A>>): Toxic;
}

export function defineToxicKind<T extends string, A extends TProperties>(definition: ToxicKindDefinition<T, A>): ToxicKind<T, A> {
  const properties: TProperties = { type: Type.Literal(definition.type), ...TOXIC_OPTIONS, ...definition.attributes };
  const schema = Type.Object(properties, { additionalProperties: false, description: definition.summary });
  return Object.freeze({
    ...definition,
    schema,
    create(spec: ToxicOptions & Static<TObject<A>>): Toxic {
      const { name, ...fields } = spec;
      const typed = { ...fields, type: definition.type };
      const error = Value.Errors(schema, typed).First();
      if (error) throw new RangeError(`${definition.type}: ${error.path.slice(1) || 'the toxic'}: ${error.message}, not ${JSON.stringify(error.value)}`);
      const { type: _type, direction = 'downstream', toxicity = 1, ...attributes } = typed;
      const own = attributes as unknown as Static<TObject<A>>;
      const problem = definition.check?.(own);
      if (problem) throw new RangeError(`${definition.type}: ${problem}`);
      return Object.freeze({
        type: definition.type,
        direction,
        toxicity,
        name,
        attributes: Object.freeze(attributes),
        stage: (context: StageContext) => definition.stage(own, context),
      });
    },
  });
}
