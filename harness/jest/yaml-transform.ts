import { createHash } from 'node:crypto';
import { SUITE_RUNTIME_GLOBAL } from './suite-runtime-global';

/** A suite file's jest API, as the generated code hands it to the runtime. */
const JEST_API = '{ describe, test, beforeAll, afterAll, retryTimes: (retries) => jest.retryTimes(retries), console }';

/**
 * The jest transform for suite files: a suite becomes a module that defines its tests. The file is
 * read again by the runtime (with positions kept for error messages), so the output depends only
 * on the file's path.
 *
 * The runtime comes from the file's global, where the suite environment (suite-environment.ts) put
 * it, not from `require`: required here, it would be loaded again for every suite file (jest gives
 * each test file a module registry of its own). It is handed the file's jest API, which it cannot
 * see from where it was loaded.
 */
const transformer = {
  process(_source: string, filename: string): { code: string } {
    return { code: `globalThis.${SUITE_RUNTIME_GLOBAL}.defineSuiteTestsWith(${JEST_API}, ${JSON.stringify(filename)});\n` };
  },
  /** jest caches the output by this key: the output itself, so a sockspec that writes other code is not served the old. */
  getCacheKey(source: string, filename: string): string {
    return createHash('sha256').update(transformer.process(source, filename).code).digest('hex');
  },
};

export = transformer;
