// Runs the suites named in sockspec.config.json against `node server.js {port}`.
require('sockspec').defineConformanceTests();
