// Every headroom dashboard, rendered to the JSON Grafana imports. The committed
// dashboards/<uid>.json files and `headroom generate` both come from renderDashboards().
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { defaultAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { backupsDashboard } from './backups.js';
import { estateCapacityDashboard } from './estate-capacity.js';
import { exportersDashboard } from './exporters.js';
import { obsBuildServiceDashboard } from './obs-build-service.js';
import { tmpfsOvercommitDashboard } from './tmpfs-overcommit.js';
import { vmDensityDashboard } from './vm-density.js';

/** In the order a reader meets them: capacity first, then on-call, then the monitoring itself. */
export const dashboardSources: ReadonlyArray<(alerts: AlertsConfig) => DashboardBuilder> = [
  estateCapacityDashboard,
  obsBuildServiceDashboard,
  tmpfsOvercommitDashboard,
  vmDensityDashboard,
  backupsDashboard,
  exportersDashboard,
];

export interface RenderedDashboard {
  readonly uid: string;
  /** `dashboards/<uid>.json` relative to the output folder. */
  readonly file: string;
  readonly json: string;
}

/**
 * Renders every dashboard for the alerting config the rules are rendered from (its thresholds
 * draw the panels' alert lines); pure (no I/O), the same text for the same config.
 */
export function renderDashboards(alerts: AlertsConfig = defaultAlertsConfig): RenderedDashboard[] {
  return dashboardSources.map((source) => {
    const built = source(alerts).build();
    if (!built.uid) throw new Error(`dashboard ${built.title} has no uid`);
    return { uid: built.uid, file: `${built.uid}.json`, json: JSON.stringify(built, null, 2) + '\n' };
  });
}
