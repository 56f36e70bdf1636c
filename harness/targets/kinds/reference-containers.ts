import { Type } from '@sinclair/typebox';
import { DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS } from '../../containers/runtime';
import { defineTargetKind } from '../define';

/* The container modules are loaded only when used: testcontainers alone takes ~0.3 s to load. */
export const referenceContainers = defineTargetKind({
  name: 'container',
  summary: "sockspec's reference servers, each in a container of its own, from an image built from this installation",
  schema: Type.Object({}, { additionalProperties: false }),
  help: `  --target container   the reference servers, each in a Docker container of its own (the image
                       is built from this installation on first use; see docs/containers.md)`,
  create: () => {
    const { ReferenceContainersTarget } = require('../../containers/reference-target') as typeof import('../../containers/reference-target');
    return new ReferenceContainersTarget();
  },
  launcher: (_spec, service) => {
    const { ContainerLauncher } = require('../container-launcher') as typeof import('../container-launcher');
    const { REFERENCE_TAG, referenceImage } = require('../../containers/images') as typeof import('../../containers/images');
    return new ContainerLauncher(`container: ${REFERENCE_TAG}`, () => referenceImage(service));
  },
  startBudgetMs: () => DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS,
});
