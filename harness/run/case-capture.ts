import path from 'node:path';
import type { Case } from '../suite/schema';
import { stepKind } from '../steps/registry';
import { expectWireClose } from '../steps/expect-wire-close';
import { expectWireWindow } from '../steps/expect-wire-window';
import { expectWireSyn } from '../steps/expect-wire-syn';
import { expectWireTls } from '../steps/expect-wire-tls';
import type { CaseCapture, CaptureMode, WireView } from '../capture/case-capture';
import { PacketCapture, type CaptureFiles } from '../capture/packet-capture';
import { captureUnavailable, decodeUnavailable } from '../capture/tools';
import type { Endpoints } from '../targets/target';

/** The steps that read the case's capture: a case with one is captured whatever --capture says. */
const WIRE_STEPS: ReadonlySet<string> = new Set([expectWireClose.name, expectWireWindow.name, expectWireSyn.name, expectWireTls.name]);

/** What the run does with captures (--capture). */
export interface CaptureSettings {
  /** Which cases' captures the run keeps; absent, a case is captured only for its wire checks, and nothing is kept. */
  mode?: CaptureMode;
  /** Where kept captures go: DIR/SUITE/CASE.pcap, and CASE.keys beside it. */
  dir?: string;
  /** Where the raw captures are written while the cases run (default the system's temporary folder). */
  tempDir?: string;
}

/** Whether the case's traffic leaves loopback: its server runs in a network namespace, or its address is not a loopback one (a container's). */
export function offLoopback(namespaced: boolean, host: string | undefined): boolean {
  // Connecting to an unspecified address (0.0.0.0, ::) reaches this host through loopback too.
  return namespaced || (host !== undefined && !/^(127\.|::1$|localhost$|::ffff:127\.|0\.0\.0\.0$|::$)/.test(host));
}

/** Whether a step of the case, nested ones included, reads the capture. */
export function usesWire(c: Case): boolean {
  const reads = (steps: readonly unknown[]): boolean =>
    steps.some((step) => {
      const [name, params] = Object.entries(step as Record<string, unknown>)[0] ?? [];
      if (WIRE_STEPS.has(name ?? '')) return true;
      return (stepKind(name ?? '')?.nested?.(params) ?? []).some((list) => reads(list.steps));
    });
  return reads(c.steps);
}

/** Why a case with wire checks cannot run here (no root, no tcpdump or no tshark), or undefined when it can. */
export function wireSkip(c: Case): string | undefined {
  return usesWire(c) ? decodeUnavailable() : undefined;
}

/**
 * The case's packet capture, started before its first step: when the run keeps captures, or the case has
 * wire checks. None when the machine cannot capture (the run says why once); a tcpdump that
 * would not start is a note of the case, which then runs uncaptured.
 */
export async function startCapture(c: Case, settings: CaptureSettings | undefined, offLoopback: boolean, notes: string[]): Promise<PacketCapture | undefined> {
  if (settings?.mode === undefined && !usesWire(c)) return undefined;
  if (captureUnavailable()) return undefined;
  try {
    // A server in a network namespace or a container is reached through a veth pair or a bridge,
    // not loopback: `any` sees both.
    return await PacketCapture.start({ device: offLoopback ? 'any' : 'lo', tempDir: settings?.tempDir });
  } catch (err) {
    notes.push(`no packet capture: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * How long a failed case's wire view may take (a decode of the whole capture, after tcpdump has
 * caught up): on a machine loaded past any use a decode of 32 MiB took longer than the case had
 * left before jest's own timeout, which then reported a stack trace in place of the case's failure.
 */
export const VIEW_MS = 10_000;

/**
 * Ends the case's capture: a failed case gets the wire's "why" and its packets (when tshark can decode it), and
 * the capture is kept as the run asks (`failed`: failed cases only; `all`), filtered to the
 * ports of the endpoints the case used and of its connections.
 */
export async function endCaseCapture(
  capture: CaseCapture,
  failed: boolean,
  settings: CaptureSettings | undefined,
  where: { suite: string; caseId: string; repetition: number; endpoints: Endpoints[] },
): Promise<{ files?: CaptureFiles } & WireView> {
  for (const endpoints of where.endpoints) for (const endpoint of Object.values(endpoints)) capture.watchPort(endpoint?.port);
  const none: WireView = { why: [], packets: [] };
  const view = failed && !decodeUnavailable() ? await capture.view(AbortSignal.timeout(VIEW_MS)).catch((err: Error) => ({ ...none, why: [`no view of the wire: ${err.message}`] })) : none;
  const keep = settings?.mode !== undefined && settings.dir !== undefined && (settings.mode === 'all' || failed);
  const name = where.repetition > 1 ? `${where.caseId}-run${where.repetition}` : where.caseId;
  const files = await capture.stop(keep ? path.join(settings.dir as string, where.suite, name) : undefined);
  return { files, ...view };
}
