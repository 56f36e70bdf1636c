import { ContainerTarget, type ContainerTargetOptions, NO_RUNTIME_MESSAGE } from '../targets/container';
import type { PrintedLine } from '../targets/output-tail';
import type { TargetExit } from '../targets/target-exit';
import { type Endpoints, type ServiceName, type Target, TargetError } from '../targets/target';
import { REFERENCE_TAG, referenceImage } from './images';
import { dockerAvailable } from './runtime';

/**
 * `--target container`: the reference servers, one container per service, from sockspec's own
 * image. The suites reach them as they reach a user's image, against servers known to conform: a
 * failure here is the container path's, and CI runs it for real.
 */
export class ReferenceContainersTarget implements Target {
  private readonly started = new Map<ServiceName, ContainerTarget>();

  get description(): string {
    const routes = [...new Set([...this.started.values()].flatMap((target) => target.route ?? []))];
    return `container: ${REFERENCE_TAG}, one per service${routes.length > 0 ? ` (${routes.join('; ')})` : ''}`;
  }

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    // The image is built with the docker command line: without an engine, say so before building.
    if (!dockerAvailable()) throw new TargetError(NO_RUNTIME_MESSAGE);
    await this.stop();
    this.started.clear();
    for (const service of services) this.started.set(service, new ContainerTarget(await imageFor(service)));
    // Containers start in parallel; a failed one stops the others (and stop() is safe after that).
    const results = await Promise.allSettled([...this.started].map(([service, target]) => target.start([service])));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
    return Object.assign({}, ...results.map((result) => (result as PromiseFulfilledResult<Endpoints>).value));
  }

  /** The first reference container to exit before stop() is the target's exit, named by its service. */
  watchExit(onExit: (exit: TargetExit) => void): void {
    let told = false;
    for (const [service, target] of this.started) {
      target.watchExit((exit) => {
        if (told) return;
        told = true;
        onExit({ ...exit, exit: `${exit.exit} (the ${service} container)` });
      });
    }
  }

  /** The targets are kept, stopped, for their logs. */
  async stop(): Promise<void> {
    await Promise.all([...this.started.values()].map((target) => target.stop()));
  }

  /** What each container wrote, prefixed with its service, in time order; still there after stop(). */
  printed(): PrintedLine[] {
    return [...this.started]
      .flatMap(([service, target]) => target.printed().map((line) => ({ ...line, text: `${service}: ${line.text}` })))
      .sort((a, b) => a.at - b.at);
  }
}

/** One image for every service, built (or found up to date) on the first call. */
async function imageFor(service: ServiceName): Promise<ContainerTargetOptions> {
  try {
    return await referenceImage(service);
  } catch (err) {
    throw new TargetError(`could not build the reference image: ${(err as Error).message}`);
  }
}
