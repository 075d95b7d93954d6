// What `headroom generate` writes for alerting: the rule file (always, with the defaults and any
// alerting.rules overrides) and alertmanager.yml with its e-mail templates (only with mail settings).
import type { ArtifactGenerator } from '../src/generate.js';
import type { HeadroomConfig } from '../src/config/load.js';
import { EMAIL_TEMPLATE_FILE, mailSettings, renderAlertmanagerConfig, renderEmailTemplates } from './alertmanager.js';
import type { AlertingConfig } from './config-schema.js';
import { mergeAlertsConfig, type AlertsConfig } from './config.js';
import { renderRules } from './render.js';

export const RULES_FILE = 'rules/headroom.rules.yml';
export const ALERTMANAGER_FILE = 'alertmanager.yml';

function alertingOf(config: HeadroomConfig): AlertingConfig | undefined {
  return config.sections['alerting'] as AlertingConfig | undefined;
}

/** The defaults merged with the file's alerting.rules: what the rules and the dashboards are rendered from. */
export function alertsConfigOf(config: HeadroomConfig): AlertsConfig {
  return mergeAlertsConfig(alertingOf(config)?.rules);
}

export const alertRulesGenerator: ArtifactGenerator = {
  name: 'alert rules',
  generate: (config) => [{ path: RULES_FILE, content: renderRules(alertsConfigOf(config)) }],
};

export const alertmanagerGenerator: ArtifactGenerator = {
  name: 'alertmanager',
  generate(config) {
    const mail = mailSettings(alertingOf(config));
    if (typeof mail === 'string') return { skipped: mail };
    // The templates file sits beside alertmanager.yml, which names it relative to itself.
    return [
      { path: ALERTMANAGER_FILE, content: renderAlertmanagerConfig(mail) },
      { path: EMAIL_TEMPLATE_FILE, content: renderEmailTemplates() },
    ];
  },
};

export const alertingGenerators: readonly ArtifactGenerator[] = [alertRulesGenerator, alertmanagerGenerator];
