// `npm run render:alerts`: writes alerts/headroom.rules.yml from the sources with the default
// config. A test fails when the committed file differs from what the sources render.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRules } from './render.js';

// Compiled to dist/alerts/write-rules.js; the committed file lives in <repo>/alerts/.
const target = fileURLToPath(new URL('../../alerts/headroom.rules.yml', import.meta.url));
writeFileSync(target, renderRules());
process.stdout.write(`wrote ${target}\n`);
