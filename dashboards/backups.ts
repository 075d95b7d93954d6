// Backups: the age of each target's newest backup against its freshness objective, and
// whether the last read of its metadata worked.
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  RECORDED_BACKUP_AGE,
  RECORDED_BACKUP_AGE_OVER_MAX_AGE,
  RECORDED_BACKUP_SIZE_OVER_MEDIAN,
  RECORDED_BACKUP_UNCOVERED_HOSTS,
  RECORDED_BACKUP_UNCOVERED_VMS,
} from '../alerts/recording.js';
import { integrityCheck, maxAge, repositoryLocks, restoreTest, snapshots } from '../exporters/backup/metrics.js';
import { sourceLastAttempt, sourceUp } from '../src/runtime.js';
import { defaultAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { dashboard, instanceVariable, okFailed, PanelFactory, rising } from './panels.js';
import { byInstance, recorded, scopedQueries, type Matchers } from './promql.js';

/** The runtime's health series of the backup targets: the target name is the source label. */
const targets: Matchers = { ...byInstance, collector: '="backup"' };
/** Those series with the target label the backup series carry, for joins and tables. */
const asTarget = (expr: string) => `label_replace(${expr}, "target", "$1", "source", "(.*)")`;

export const BACKUPS_UID = 'headroom-backups';

export function backupsDashboard(alerts: AlertsConfig = defaultAlertsConfig) {
  // The user's label selectors, as the alert rules apply them: a panel shows what its alert sees.
  const { sel } = scopedQueries(alerts.selectors);
  const p = new PanelFactory();
  const d = dashboard({
    uid: BACKUPS_UID,
    title: 'headroom / Backups',
    description: 'Age of every backup target\'s newest backup against its objective, and the result of the last metadata read.',
    from: 'now-7d',
  }).withVariable(instanceVariable(maxAge, 'Backup host'));

  d.withRow(p.row('Freshness'));
  d.withPanel(
    p.stat({
      title: 'Targets overdue',
      description: 'Targets whose newest backup is older than their max_age (BackupStale).',
      unit: units.Short,
      queries: [{ expr: `count(${recorded(RECORDED_BACKUP_AGE_OVER_MAX_AGE)} > 1) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Targets failing to read',
      description: 'Targets whose last metadata read failed (wrong password, missing repository, timeout); see the status page for why.',
      unit: units.Short,
      queries: [{ expr: `count(${sel(sourceUp, targets)} == 0) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Targets',
      description: 'Backup targets configured on the selected hosts.',
      unit: units.Short,
      queries: [{ expr: `count(${sel(maxAge)})`, instant: true }],
      w: 4,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Repositories locked',
      description: 'restic/borg repositories holding a lock now: normal while a backup or prune runs; one that stays is left by a crashed run (BackupRepositoryLocked).',
      unit: units.Short,
      queries: [{ expr: `count(${sel(repositoryLocks)} > 0) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Oldest metadata read',
      description: 'Seconds since the least recently read target was read, successful or not: a stalled schedule shows here.',
      unit: units.Seconds,
      queries: [{ expr: `time() - min(${sel(sourceLastAttempt, targets)})`, instant: true }],
      steps: rising(3600, 6 * 3600),
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.bars({
      title: 'Age against objective',
      description: 'Each target\'s backup age as a share of its max_age: orange from 75 %, red when overdue.',
      unit: units.PercentUnit,
      queries: [{ expr: recorded(RECORDED_BACKUP_AGE_OVER_MAX_AGE), legend: '{{target}} ({{kind}})', instant: true }],
      steps: rising(0.75, 1),
      min: 0,
      max: 1.5,
      w: 12,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Targets',
      description: 'Per target: age of the newest backup, the objective, backups held and whether the last read worked.',
      unit: units.Seconds,
      queries: [
        { expr: `max by (instance, target) (${recorded(RECORDED_BACKUP_AGE)})`, instant: true, table: true },
        { expr: `max by (instance, target) (${sel(maxAge)})`, instant: true, table: true },
        { expr: `max by (instance, target) (${sel(snapshots)})`, instant: true, table: true },
        { expr: `max by (instance, target) (${asTarget(sel(sourceUp, targets))})`, instant: true, table: true },
      ],
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            renameByName: { 'Value #A': 'age', 'Value #B': 'objective', 'Value #C': 'backups', 'Value #D': 'last read' },
          },
        },
      ],
      w: 12,
      h: 8,
    })
      .overrideByName('backups', [{ id: 'unit', value: units.Short }])
      .overrideByName('last read', [{ id: 'unit', value: units.NoUnit }, { id: 'mappings', value: okFailed() }]),
  );
  d.withPanel(
    p.timeseries({
      title: 'Backup age',
      description: 'Age of each target\'s newest backup: a saw tooth that resets at every backup; a ramp that keeps climbing is a backup that stopped.',
      unit: units.Seconds,
      queries: [{ expr: recorded(RECORDED_BACKUP_AGE), legend: '{{target}}' }],
      min: 0,
      w: 12,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeline({
      title: 'Last check result',
      description: 'Whether each target\'s metadata read worked over time (not restic check or borg check).',
      unit: units.NoUnit,
      queries: [{ expr: sel(sourceUp, targets), legend: '{{source}}' }],
      mappings: okFailed(),
      steps: [['red', null], ['green', 1]],
      w: 12,
      h: 8,
    }),
  );

  d.withRow(p.row('Restorable and complete'));
  d.withPanel(
    p.stat({
      title: 'Integrity checks failing',
      description: 'Targets whose last restic check / borg check / git fsck failed (BackupIntegrityCheckFailing).',
      unit: units.Short,
      queries: [{ expr: `count(${sel(integrityCheck.success)} == 0) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Restore tests failing',
      description: 'Targets whose last restore test failed: the configured path could not be restored as the backup lists it (BackupRestoreTestFailing).',
      unit: units.Short,
      queries: [{ expr: `count(${sel(restoreTest.success)} == 0) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Hosts without backup',
      description: 'Estate hosts that no target lists in covers.hosts (BackupHostsUncovered); 0 while no target declares coverage.',
      unit: units.Short,
      queries: [{ expr: `count(${recorded(RECORDED_BACKUP_UNCOVERED_HOSTS)}) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'VMs without backup',
      description: 'libvirt domains seen by the vmhost collectors (per_domain: true) that no target lists in covers.vms (BackupVMsUncovered).',
      unit: units.Short,
      queries: [{ expr: `count(${recorded(RECORDED_BACKUP_UNCOVERED_VMS)}) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Checks and restore tests',
      description: 'Per target: result and age of the last integrity check and restore test that ran, and whether the latest attempt was skipped (repository locked or changed by a backup).',
      unit: units.NoUnit,
      queries: [
        { expr: `max by (instance, target) (${sel(integrityCheck.success)})`, instant: true, table: true },
        { expr: `time() - max by (instance, target) (${sel(integrityCheck.lastRun)})`, instant: true, table: true },
        { expr: `max by (instance, target) (${sel(restoreTest.success)})`, instant: true, table: true },
        { expr: `time() - max by (instance, target) (${sel(restoreTest.lastRun)})`, instant: true, table: true },
        // Either test skipped; the test label keeps the two series apart through `or`.
        {
          expr: `max by (instance, target) (label_replace(${sel(integrityCheck.skipped)}, "test", "check", "", "") or label_replace(${sel(restoreTest.skipped)}, "test", "restore", "", ""))`,
          instant: true,
          table: true,
        },
      ],
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            renameByName: { 'Value #A': 'check', 'Value #B': 'check age', 'Value #C': 'restore', 'Value #D': 'restore age', 'Value #E': 'skipped' },
          },
        },
      ],
      w: 12,
      h: 8,
    })
      .overrideByName('check', [{ id: 'mappings', value: okFailed() }])
      .overrideByName('restore', [{ id: 'mappings', value: okFailed() }])
      .overrideByName('check age', [{ id: 'unit', value: units.Seconds }])
      .overrideByName('restore age', [{ id: 'unit', value: units.Seconds }])
      .overrideByName('skipped', [{ id: 'mappings', value: okFailed('no', 'skipped') }]),
  );
  d.withPanel(
    p.timeseries({
      title: 'Newest backup size against its 8-day median',
      description: 'Below 50 % a backup ran but saved much less than usual (BackupShrunk). Only targets that report a size.',
      unit: units.PercentUnit,
      queries: [{ expr: recorded(RECORDED_BACKUP_SIZE_OVER_MEDIAN), legend: '{{target}}' }],
      min: 0,
      w: 12,
      h: 8,
    }),
  );
  return d;
}
