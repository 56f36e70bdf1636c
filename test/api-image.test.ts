import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConformanceTests } from '../harness/api';
import { echoFixtureImage } from '../harness/containers/images';
import { describeWithDocker, orphanContainers } from './support/docker';

/**
 * A project's own jest run against its server image, as `defineConformanceTests()` does it with
 * `"image"` in sockspec.config.json: the suites' cases are the tests here. The image is the echo
 * fixture (TCP and UDP on 7); the lifecycle cases start more containers of it, and those about
 * ports on this host are skipped.
 */
const configDir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-api-image-'));
const configFile = path.join(configDir, 'sockspec.config.json');
writeFileSync(configFile, JSON.stringify({ suites: ['echo-udp', 'lifecycle'], image: 'sockspec/echo-fixture:local', services: { 'echo-tcp': 7, 'echo-udp': 7 }, readyLog: 'listening on 7' }));

describeWithDocker('defineConformanceTests() with an image', () => {
  let orphansBefore: string[];
  beforeAll(async () => {
    // Built (or found up to date) before the suites' own beforeAll hooks start containers of it.
    await echoFixtureImage();
    orphansBefore = orphanContainers();
  }, 60_000);
  afterAll(() => {
    rmSync(configDir, { recursive: true, force: true });
    expect(orphanContainers()).toEqual(orphansBefore);
  });

  defineConformanceTests(configFile);
});
