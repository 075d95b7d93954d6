// `headroom generate` part: the dashboards need no config section, so they are always written.
import type { ArtifactGenerator } from '../src/generate.js';
import { renderDashboards } from './index.js';

export const dashboardsGenerator: ArtifactGenerator = {
  name: 'dashboards',
  generate: () => renderDashboards().map((d) => ({ path: `dashboards/${d.file}`, content: d.json })),
};
