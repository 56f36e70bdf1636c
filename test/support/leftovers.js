// jest's globalTeardown: what the project's tests left running in jest's own process. On a 2-core
// machine jest runs every test file in its own process (in band), so one file's forgotten child,
// server or timer keeps jest from exiting after the last test: a CI run once hung that way for
// half an hour after every test had passed. This names what is left (each child process by its
// command line), ends the children, and the config's forceExit ends jest; the run's verdict is
// the tests', and this report is there to be read and the leak fixed.
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

module.exports = async function reportLeftovers() {
  if (process.platform !== 'linux') return;
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
  process.stderr.write(`Handles open in jest's process after the last test: ${JSON.stringify(resources)}\n`);
};
