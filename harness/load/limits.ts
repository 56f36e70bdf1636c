import { readdirSync, readFileSync } from 'node:fs';

/*
 * The harness's own limits on how many connections it can hold, read before a ramp starts so that
 * a ramp the harness cannot carry is refused with the numbers, not run and blamed on the target.
 */

/** File descriptors a driver keeps for itself (its IPC channel, stdio, libuv's own). */
const DRIVER_SPARE_FDS = 64;
/** Connections one driver holds at most: past a few thousand, one event loop is the limit. */
const CONNECTIONS_PER_DRIVER = 5000;
/** Drivers one ramp may start. */
const MAX_DRIVERS = 8;

/** The soft limit on open files of this process (children inherit it), from /proc/self/limits; undefined when unreadable. */
function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** How many ephemeral ports one source address has towards one destination (net.ipv4.ip_local_port_range). */
function ephemeralPorts(): number | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return high - low + 1;
  } catch {
    return undefined;
  }
}

/** Descriptors this process has open now. */
function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** How many drivers a ramp of `connections` takes, or why the harness cannot hold that many. */
export function driversFor(connections: number, perDriverLimit = openFilesLimit()): { drivers: number } | { problem: string } {
  const perDriver = Math.min(CONNECTIONS_PER_DRIVER, (perDriverLimit ?? Infinity) - DRIVER_SPARE_FDS);
  if (perDriver < 1) return { problem: `the soft limit on open files (ulimit -n) is ${perDriverLimit}, which leaves a load driver no descriptor for a connection` };
  const drivers = Math.ceil(connections / perDriver);
  if (drivers > MAX_DRIVERS) {
    return {
      problem:
        `${connections} connections need ${drivers} load drivers of ${perDriver} connections each` +
        ` (ulimit -n ${perDriverLimit ?? 'unlimited'} per process, less ${DRIVER_SPARE_FDS} spare), and a ramp starts at most ${MAX_DRIVERS}`,
    };
  }
  return { drivers };
}

/**
 * Why the harness cannot hold `connections` to one destination, or undefined when it can: every
 * connection takes an ephemeral port of 127.0.0.1 (or ::1) towards it; and a target served in
 * this very process (the builtin reference echo runs in the jest worker) takes a descriptor of
 * this process for each of them.
 */
export function harnessLimitProblem(connections: number, servedHere: boolean, ports = ephemeralPorts(), limit = openFilesLimit(), inUse = openFiles()): string | undefined {
  const drivers = driversFor(connections, limit);
  if ('problem' in drivers) return drivers.problem;
  if (ports !== undefined && connections > ports) {
    return `${connections} connections to one address and port need as many ephemeral ports, and net.ipv4.ip_local_port_range gives ${ports}`;
  }
  if (servedHere && limit !== undefined && inUse !== undefined && connections > limit - inUse - DRIVER_SPARE_FDS) {
    return (
      `the target runs in the harness's own process (the builtin reference echo, in the jest worker), which has ${inUse} descriptors open` +
      ` and a soft limit (ulimit -n) of ${limit}: it can accept ${Math.max(0, limit - inUse - DRIVER_SPARE_FDS)} connections, not ${connections}`
    );
  }
  return undefined;
}
