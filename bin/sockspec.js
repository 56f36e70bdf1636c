#!/usr/bin/env node
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

// The package ships dist/ (built by prepack); a fresh clone has none until its first run builds it.
const root = path.join(__dirname, '..');
if (!existsSync(path.join(root, 'dist', 'harness', 'cli', 'main.js')) && existsSync(path.join(root, 'tsconfig.build.json'))) {
  process.stderr.write('sockspec: building dist/ (first run in a checkout)\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

// Exit once the command is done: a handle a server under test left open must not hold a CI job.
// Not before stdout and stderr are written out: into a pipe that is full, a write waits, and an
// exit at once would cut the output (`sockspec schema | ...` lost everything past 64 KiB).
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
require('../dist/harness/cli/main')
  .main(process.argv.slice(2))
  .then(() => Promise.all([flushed(process.stdout), flushed(process.stderr)]))
  .then(() => process.exit(process.exitCode));
