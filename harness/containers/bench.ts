import { performance } from 'node:perf_hooks';
import { ContainerTarget } from '../targets/container';
import { echoFixtureImage } from './images';

/**
 * How long a node server container takes from `start()` to ready through testcontainers: create,
 * start, ports published on loopback, ready line logged. Median of `runs`; building (or finding)
 * the image happens before timing. The fixture image has the same node and libraries as the
 * reference image, without needing a project build.
 */
export async function benchContainerStart(runs = 5): Promise<{ ms: number }> {
  const options = await echoFixtureImage();
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const target = new ContainerTarget(options);
    const started = performance.now();
    try {
      await target.start(['echo-tcp']);
      samples.push(performance.now() - started);
    } finally {
      await target.stop();
    }
  }
  samples.sort((a, b) => a - b);
  return { ms: Math.round(samples[Math.floor(samples.length / 2)] * 10) / 10 };
}
