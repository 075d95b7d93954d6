import { estateSection } from '../../estate/section.js';
import { alertingSection } from '../../alerts/config-schema.js';
import { plannerSection } from '../../planner/config.js';
import type { ConfigSection } from './load.js';

/**
 * Top-level config sections besides `collectors` (used by `headroom generate`): each is
 * defined next to what it configures and listed here once.
 */
export const configSections: readonly ConfigSection[] = [
  estateSection,
  alertingSection,
  plannerSection,
];
