import { ServeArgumentError, parseServeArgs, serveRequest } from '../servers/serve-main';
import { EXIT, UsageError } from './errors';

/** `sockspec serve`: the same arguments and server as the reference image's entry point. */
export async function serve(args: readonly string[]): Promise<number> {
  try {
    await serveRequest(parseServeArgs(args));
  } catch (err) {
    if (err instanceof ServeArgumentError) throw new UsageError(err.message, 'see sockspec serve --help');
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new UsageError(`cannot listen there: ${code}`, 'choose another --port or --host');
    throw err;
  }
  return EXIT.pass;
}
