// What each target says it backs up, as static series (collector constants): the coverage rules compare them with
// the estate's hosts and services and the VMs the vmhost collectors see (alerts/alerts.ts).
import { sample, type Sample } from '../../src/metrics.js';
import type { BackupTarget } from './config.js';
import { covers } from './metrics.js';

export function coverageSamples(t: BackupTarget): Sample[] {
  const c = t.covers;
  if (!c) return [];
  const of = (kind: string, names: readonly string[]) => names.map((name) => sample(covers, { target: t.name, kind, name }, 1));
  return [...of('host', c.hosts), ...of('vm', c.vms), ...of('service', c.services)];
}
