import { performance } from 'node:perf_hooks';
import { runCase } from '../harness/run/run-case';
import type { Suite } from '../harness/suite/schema';
import type { Target } from '../harness/targets/target';

/**
 * Wall time from a target's start() to the verdict of the suite's first case: what a user waits
 * for the first result. Median of `runs`, each with a fresh target; images are built beforehand.
 */
export async function timeToFirstCase(makeTarget: () => Target, suite: Suite, runs = 5): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const target = makeTarget();
    const started = performance.now();
    try {
      const outcome = await runCase(suite, suite.cases[0], await target.start([suite.service]));
      if (outcome.verdict !== 'pass') throw new Error(`${suite.suite}/${outcome.caseId} failed against ${target.description}: ${outcome.failure?.summary}`);
      samples.push(performance.now() - started);
    } finally {
      await target.stop();
    }
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
