// `npm run render:dashboards`: writes dashboards/<uid>.json from the TypeScript sources, the
// files a test compares with what the sources render.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderDashboards } from './index.js';

const outDir = process.argv[2];
if (!outDir) {
  process.stderr.write('usage: node dist/dashboards/render.js <folder>\n');
  process.exit(2);
}
for (const d of renderDashboards()) {
  const target = path.join(outDir, d.file);
  writeFileSync(target, d.json);
  process.stdout.write(`wrote ${target}\n`);
}
