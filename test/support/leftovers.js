// jest's globalTeardown: what the project's tests left running in jest's own process. On a 2-core
// machine jest runs every test file in its own process (in band), so one file's forgotten child,
// server or timer keeps jest from exiting after the last test: a CI run once hung that way for
// half an hour after every test had passed. This names what is still there a few seconds after
// the last test (each child process by its command line, each server and connection by its
// address), ends the children, and the config's forceExit ends jest; the run's verdict is the
// tests', and this report is there to be read and the leak fixed.
const { readdirSync, readFileSync } = require('node:fs');

/** pid -> parent pid, for every process this machine lists. */
function parents() {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name, in parentheses, may hold spaces: the fields after it are split safely.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone since the listing.
    }
  }
  return parentOf;
}

function descendants(root) {
  const parentOf = parents();
  const found = [];
  let frontier = [root];
  while (frontier.length) {
    frontier = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...frontier);
  }
  return found;
}

function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 300);
  } catch {
    return '(gone)';
  }
}

/** Kinds of handle a test opens (jest's own are pipes, a TTY and a timer). */
const TEST_HANDLES = ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'ProcessWrap'];
/**
 * How long what the last test started may take to end by itself before it counts as left behind:
 * a jest worker's tcpdump ends 2 s after its last case, a closed server a moment after its close.
 */
const SETTLE_MS = 3000;

async function settled() {
  const until = Date.now() + SETTLE_MS;
  const busy = () => descendants(process.pid).length > 0 || process.getActiveResourcesInfo().some((kind) => TEST_HANDLES.includes(kind));
  while (busy() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
}

module.exports = async function reportLeftovers() {
  if (process.platform !== 'linux') return;
  await settled();
  const lines = [];
  for (const pid of descendants(process.pid)) {
    lines.push(`  process ${pid}: ${commandLine(pid)}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // jest's own handles (its output streams, its worker pipes) are listed too: read the list for what a test opened.
  const resources = process.getActiveResourcesInfo().reduce((counts, kind) => ({ ...counts, [kind]: (counts[kind] ?? 0) + 1 }), {});
  if (lines.length) {
    process.stderr.write(`\nThe tests left ${lines.length} process(es) running under jest (now killed); a test forgot to stop them:\n${lines.join('\n')}\n`);
  }
  const sockets = openSockets();
  process.stderr.write(`Handles open in jest's process after the last test: ${JSON.stringify(resources)}${sockets.length ? `; among them ${sockets.join(', ')}` : ''}\n`);
};

/** The servers and sockets among the open handles, by address: what the counts alone do not say. */
function openSockets() {
  // Undocumented, but the one way to the handles themselves; without it the counts stand alone.
  const handles = typeof process._getActiveHandles === 'function' ? process._getActiveHandles() : [];
  return handles.flatMap((handle) => {
    try {
      if (typeof handle.listen === 'function' && typeof handle.address === 'function') return [`a server listening on ${JSON.stringify(handle.address())}`];
      if (handle.remotePort !== undefined) return [`a connection ${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}`];
      if (typeof handle.send === 'function' && typeof handle.address === 'function') return [`a datagram socket on ${JSON.stringify(handle.address())}`];
    } catch {
      // A handle closed meanwhile.
    }
    return [];
  });
}
