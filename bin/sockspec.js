#!/usr/bin/env node
'use strict';
require('../dist/harness/cli/main').main(process.argv.slice(2));
