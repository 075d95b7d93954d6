// The config validation child (see validate-in-child.ts): validates the files it is sent and
// answers once, then exits.
import { collectorModules } from '../../exporters/index.js';
import { errorMessage } from '../errors.js';
import { WebConfigFileError } from '../web-config.js';
import { ConfigError, defaultSectionConfig, loadConfig } from './load.js';
import { configSections } from './sections.js';
import type { ConfigReply, ConfigRequest } from './validate-in-child.js';
import { loadWebConfig } from './web-config-file.js';

async function validate(request: ConfigRequest): Promise<ConfigReply> {
  try {
    const config = request.configFile ? await loadConfig(request.configFile, collectorModules, configSections) : null;
    const web = request.webConfigFile ? loadWebConfig(request.webConfigFile) : null;
    const defaults = new Map<string, unknown>();
    if (!config) for (const m of collectorModules) if (m.autodetect) defaults.set(m.name, await defaultSectionConfig(m));
    return { ok: true, config, defaults, web };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof WebConfigFileError) return { ok: false, problem: err.message };
    throw err;
  }
}

process.once('message', (request: ConfigRequest) => {
  validate(request).then(
    (reply) => process.send!(reply, () => process.disconnect()),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error && err.stack ? err.stack : errorMessage(err)}\n`);
      process.exit(1);
    },
  );
});
