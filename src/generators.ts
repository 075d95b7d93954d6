import type { ArtifactGenerator } from './generate.js';

/** Everything `headroom generate` writes, in order; each part is listed here once. */
export const artifactGenerators: readonly ArtifactGenerator[] = [];
