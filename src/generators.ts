import { blackboxGenerator, prometheusGenerator, targetsGenerator } from '../estate/section.js';
import { alertingGenerators } from '../alerts/generators.js';
import { dashboardsGenerator } from '../dashboards/generator.js';
import type { ArtifactGenerator } from './generate.js';

/** Everything `headroom generate` writes, in order; each part is listed here once. */
export const artifactGenerators: readonly ArtifactGenerator[] = [
  prometheusGenerator,
  targetsGenerator,
  blackboxGenerator,
  ...alertingGenerators,
  dashboardsGenerator,
];
