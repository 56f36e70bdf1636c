import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { ClientCommand } from './client-command';
import type { CommandTargetOptions } from './command';
import type { Launcher } from './launcher';
import type { Endpoint, ServiceName, Target } from './target';
import { CapacitySchema } from '../vocabulary/capacity';

/** What a TLS server declares about itself (cases needing what is not declared are skipped). */
export const TlsDeclarationSchema = Type.Object(
  {
    ca: Type.Optional(Type.String({ description: "the PEM text of the CA that signed the server's certificate, when it is not the run's own" })),
    servername: Type.Optional(Type.String({ minLength: 1, description: 'the name to send in SNI and check the certificate against (default localhost)' })),
    altServername: Type.Optional(Type.String({ minLength: 1, description: 'a second name the server has a certificate of its own for (enables the SNI cases)' })),
    alpn: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the ALPN protocols the server supports, in its order of preference (enables the ALPN cases)' })),
  },
  { additionalProperties: false },
);

/**
 * What a target declares about its server, whatever its kind: the flags --ca, --servername,
 * --alt-servername, --alpn, --idle-timeout, --declare-capacity and --profile, a targets file's fields
 * of those names, sockspec.config.json's `tls`, `idleTimeoutMs` and `capacity`.
 */
export const DeclarationsSchema = Type.Object(
  {
    tls: Type.Optional(TlsDeclarationSchema),
    idleTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'it closes a connection idle this long, in ms (enables the idle cases)' })),
    profile: Type.Optional(Type.String({ minLength: 1, description: "the chat-relay suite's profile: a shipped profile's name or a profile file's absolute path" })),
    capacity: Type.Optional(CapacitySchema),
  },
  { additionalProperties: false },
);

export type Declarations = Static<typeof DeclarationsSchema>;

/** A target as data: its kind, the fields of that kind, what it declares. It travels as JSON. */
export type SpecOf<S extends TObject = TObject> = Static<S> & { kind: string; declared?: Declarations };

/** What runs inside a network namespace for the network cases: the reference server, or the user's command. */
export type MovableServer = { builtin: true } | { command: CommandTargetOptions };

/**
 * One kind of target: the schema of its spec, its part of `sockspec run --help`, and how its
 * servers start (for a run, a suite file, the lifecycle cases and the network cases). Adding a
 * target kind is adding one file that calls `defineTargetKind` and listing it in `registry.ts`.
 */
export interface TargetKind<S extends TObject = TObject> {
  /** The spec's `kind`. */
  readonly name: string;
  /** One sentence for docs. */
  readonly summary: string;
  /** The spec's own fields, besides `kind` and `declared`. */
  readonly schema: S;
  /** Its lines in `sockspec run --help`, under "Target (one of)". */
  readonly help: string;
  /**
   * Who starts it in a `sockspec run`: the CLI, once for every suite file (default), or each suite
   * file itself, in the process that runs it (in-process servers cannot be handed over).
   */
  readonly startedBy?: 'run' | 'suite-file';
  /**
   * The reference servers declare everything themselves (their idle timeout is what the case
   * deadlines allow for): no case is skipped for a need, the declarations of the flags do not
   * apply, and --idle-timeout is refused.
   */
  selfDeclared?(service: ServiceName): Pick<Endpoint, 'idleTimeoutMs'>;
  /**
   * For a client under test: the command the cases of a client suite run. A kind with this plays
   * the client side and runs client suites only; one without it is a server and runs server suites.
   */
  client?(spec: SpecOf<S>): ClientCommand;
  /** Why it cannot serve a suite's service, found before anything starts (an image without that service). */
  unfit?(spec: SpecOf<S>, service: ServiceName, suite: string): string | undefined;
  create(spec: SpecOf<S>, services: readonly ServiceName[]): Target | Promise<Target>;
  /** How lifecycle cases start more instances of it; without one, the cases that restart it are skipped. */
  launcher?(spec: SpecOf<S>, service: ServiceName): Launcher;
  /** What runs in a network namespace for the network cases; without it, those cases are skipped. */
  movable?(spec: SpecOf<S>): MovableServer;
  /** The longest starting it for one service may take (a suite file's start allows this). */
  startBudgetMs(spec: SpecOf<S>): number;
}

export function defineTargetKind<N extends string, S extends TObject>(kind: TargetKind<S> & { name: N }): TargetKind<S> & { name: N } {
  return kind;
}
