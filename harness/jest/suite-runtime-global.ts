/**
 * The name of the global through which a suite file reaches the suite runtime: the suite
 * environment sets it (suite-environment.ts), the code the YAML transform writes reads it. Its
 * value is `{ defineSuiteTestsWith }` (suite-runtime.ts).
 */
export const SUITE_RUNTIME_GLOBAL = '__sockspecSuiteRuntime';
