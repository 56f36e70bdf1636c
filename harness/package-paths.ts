import path from 'node:path';

/**
 * The folder holding package.json, whether running from source (harness/) or from the build
 * (dist/harness/). The bottom of the layers: every folder of harness/ may import it, and it
 * imports nothing of sockspec, so a path to the package's own files never pulls in another layer.
 */
export const PACKAGE_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
