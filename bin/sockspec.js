#!/usr/bin/env node
'use strict';
// Exit once the command is done: a handle a server under test left open must not hold a CI job.
require('../dist/harness/cli/main')
  .main(process.argv.slice(2))
  .then(() => process.exit(process.exitCode));
