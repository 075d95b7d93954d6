// Timestamps as the backup tools print them, to Unix seconds. Pure.
import { BackupParseError } from './parse-error.js';

// RFC 3339 with any number of fractional digits (restic prints nanoseconds, borg microseconds)
// and an optional zone: restic writes one, borg 1.x writes none.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Unix seconds (with fraction) of an ISO 8601 timestamp. A timestamp without a zone is read as
 * UTC: the caller must make the tool print UTC (borg prints naive local time of the process
 * reading the repository, so headroom runs it with TZ=UTC).
 */
export function parseIsoSeconds(text: string): number {
  const m = ISO_RE.exec(text);
  if (!m) throw new BackupParseError(`unrecognised timestamp ${JSON.stringify(text.slice(0, 60))}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new BackupParseError(`timestamp out of range: ${JSON.stringify(text)}`);
  }
  const fraction = m[7] ? Number(`0.${m[7]}`) : 0;
  let offsetSeconds = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetSeconds = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 + fraction - offsetSeconds;
}
