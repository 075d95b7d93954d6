// The `collectors.pressure` section's validation (run by the config child, never by serve).
import { section, timingFields } from '../../src/config/fields.js';
import { pressureTiming } from './config.js';

export function pressureConfigSchema() {
  return section({
    ...timingFields(pressureTiming),
  });
}
