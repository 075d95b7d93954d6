// `headroom generate` part: the dashboards, always written, from the same merged alerting
// config as the rule file, so a panel's "alert threshold" is the one the user's rules use.
import { alertsConfigOf } from '../alerts/generators.js';
import type { ArtifactGenerator } from '../src/generate.js';
import { renderDashboards } from './index.js';

export const dashboardsGenerator: ArtifactGenerator = {
  name: 'dashboards',
  generate: (config) => renderDashboards(alertsConfigOf(config)).map((d) => ({ path: `dashboards/${d.file}`, content: d.json })),
};
