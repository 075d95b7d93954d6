// Wear and bytes written from `smartctl --json` output: NVMe health log, ATA device statistics
// (with vendor attributes as fallback) and SCSI endurance, reduced to two numbers per device.

export class SmartctlOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmartctlOutputError';
  }
}

export interface SmartReading {
  /** The device was in standby and was left asleep (`--nocheck=standby`): no data read. */
  readonly standby: boolean;
  /** Share of rated endurance used (1 = 100 %; NVMe may report up to 2.55). */
  readonly wearUsedRatio: number | null;
  /** Bytes the host has written to the device over its life. */
  readonly writtenBytes: number | null;
}

/** smartctl exit status bits that mean "no usable answer" (smartctl(8) RETURN VALUES). */
const EXIT_COMMAND_LINE = 1;
const EXIT_OPEN_FAILED_OR_LOW_POWER = 2;

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

/** NVMe "Data Units Written" are thousands of 512-byte units (NVMe base spec). */
const NVME_DATA_UNIT_BYTES = 512 * 1000;

/**
 * SATA vendor attributes whose normalized value counts down from 100 (new) as rated life is
 * used: used = (100 - value) / 100. Only consulted when the device statistics log has no
 * "Percentage Used Endurance Indicator".
 */
const REMAINING_LIFE_ATTRIBUTES = new Set([
  'Wear_Leveling_Count', // Samsung 177
  'Media_Wearout_Indicator', // Intel 233
  'Percent_Lifetime_Remain', // Crucial/Micron 202
  'SSD_Life_Left', // 231, several vendors
]);

/** Bytes per raw unit of SATA "bytes written" attributes; LBAs use the logical block size. */
function attributeWrittenBytes(name: string, raw: number, logicalBlock: number): number | null {
  if (name === 'Total_LBAs_Written' || name === 'Total_Host_Sector_Write') return raw * logicalBlock;
  if (name === 'Host_Writes_32MiB') return raw * 32 * 2 ** 20;
  if (name === 'Host_Writes_GiB' || name === 'Lifetime_Writes_GiB' || name === 'Total_Writes_GiB') return raw * 2 ** 30;
  return null;
}

function ataReading(doc: Json): { wear: number | null; written: number | null } {
  const logicalBlock = num(doc['logical_block_size']) ?? 512;
  let wear: number | null = null;
  let written: number | null = null;
  // The device statistics log (ACS-3) states both in fixed units: prefer it.
  for (const page of arr(obj(doc['ata_device_statistics'])?.['pages'])) {
    for (const entry of arr(obj(page)?.['table'])) {
      const e = obj(entry);
      const value = num(e?.['value']);
      if (value === null) continue;
      if (e!['name'] === 'Percentage Used Endurance Indicator') wear = value / 100;
      if (e!['name'] === 'Logical Sectors Written') written = value * logicalBlock;
    }
  }
  for (const entry of arr(obj(doc['ata_smart_attributes'])?.['table'])) {
    const a = obj(entry);
    const name = typeof a?.['name'] === 'string' ? (a['name'] as string) : '';
    if (wear === null && REMAINING_LIFE_ATTRIBUTES.has(name)) {
      const value = num(a!['value']);
      if (value !== null && value <= 100) wear = (100 - value) / 100;
    }
    if (written === null) {
      const raw = num(obj(a?.['raw'])?.['value']);
      if (raw !== null) written = attributeWrittenBytes(name, raw, logicalBlock);
    }
  }
  return { wear, written };
}

/** Reads one device's `smartctl --json` output (any exit status; the JSON says what happened). */
export function parseSmartctlJson(text: string, processExitCode = 0): SmartReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SmartctlOutputError(`output is not JSON (${JSON.stringify(text.slice(0, 80))})`);
  }
  const doc = obj(parsed);
  if (!doc) throw new SmartctlOutputError('output is not a JSON object');
  const meta = obj(doc['smartctl']);
  const exitStatus = num(meta?.['exit_status']) ?? processExitCode;
  const messages = arr(meta?.['messages'])
    .map((m) => obj(m)?.['string'])
    .filter((s): s is string => typeof s === 'string');

  if (exitStatus & EXIT_COMMAND_LINE) {
    throw new SmartctlOutputError(`command line rejected${messages.length ? `: ${messages.join('; ')}` : ''}`);
  }
  if (exitStatus & EXIT_OPEN_FAILED_OR_LOW_POWER) {
    if (messages.some((m) => /\b(STANDBY|SLEEP)\b/i.test(m))) return { standby: true, wearUsedRatio: null, writtenBytes: null };
    throw new SmartctlOutputError(`device not readable${messages.length ? `: ${messages.join('; ')}` : ''}`);
  }

  const nvme = obj(doc['nvme_smart_health_information_log']);
  if (nvme) {
    const used = num(nvme['percentage_used']);
    const units = num(nvme['data_units_written']);
    return {
      standby: false,
      wearUsedRatio: used === null ? null : used / 100,
      writtenBytes: units === null ? null : units * NVME_DATA_UNIT_BYTES,
    };
  }
  const scsiWear = num(doc['scsi_percentage_used_endurance_indicator']);
  const scsiWritten = num(obj(obj(doc['scsi_error_counter_log'])?.['write'])?.['gigabytes_processed']);
  if (scsiWear !== null || scsiWritten !== null) {
    return {
      standby: false,
      wearUsedRatio: scsiWear === null ? null : scsiWear / 100,
      writtenBytes: scsiWritten === null ? null : Math.round(scsiWritten * 1e9),
    };
  }
  const ata = ataReading(doc);
  return { standby: false, wearUsedRatio: ata.wear, writtenBytes: ata.written };
}
