// Loaded with --require into a process that runs jest: appends to $JEST_COMPILATIONS_FILE, one line
// each, the file of every module jest compiles into a test file's sandbox (node:vm compileFunction,
// which jest-runtime calls at each use). What Node's own require loads is not listed.
const vm = require('node:vm');
const { appendFileSync } = require('node:fs');

const compileFunction = vm.compileFunction;
vm.compileFunction = function (code, params, options) {
  if (options && options.filename) appendFileSync(process.env.JEST_COMPILATIONS_FILE, `${process.pid} ${options.filename}\n`);
  return compileFunction.apply(this, arguments);
};
