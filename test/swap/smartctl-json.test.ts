import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSmartctlJson, SmartctlOutputError } from '../../exporters/swap/smartctl-json.js';
import { hostsDir } from '../procfs/harness.js';

const fixture = (name: string) => readFileSync(path.join(hostsDir, 'smartctl', name), 'utf8');

describe('parseSmartctlJson', () => {
  it('NVMe: percentage used and data units written (x 512000 bytes)', () => {
    expect(parseSmartctlJson(fixture('nvme0n1.json'))).toEqual({ standby: false, wearUsedRatio: 7 / 100, writtenBytes: 123456789 * 512000 });
  });

  it('SATA: device statistics win over vendor attributes', () => {
    // Statistics say 12 % used and 98765432100 sectors of 512 bytes; the attributes would say
    // 10 % (Wear_Leveling_Count 90) and 111111111 LBAs.
    expect(parseSmartctlJson(fixture('sdb.json'))).toEqual({ standby: false, wearUsedRatio: 12 / 100, writtenBytes: 98765432100 * 512 });
  });

  it('SATA without device statistics: vendor attributes', () => {
    const doc = JSON.parse(fixture('sdb.json'));
    delete doc.ata_device_statistics;
    expect(parseSmartctlJson(JSON.stringify(doc))).toEqual({ standby: false, wearUsedRatio: (100 - 90) / 100, writtenBytes: 111111111 * 512 });
  });

  it('SCSI/SAS: endurance indicator and gigabytes processed', () => {
    const doc = { smartctl: { exit_status: 0 }, scsi_percentage_used_endurance_indicator: 3, scsi_error_counter_log: { write: { gigabytes_processed: '1234.500' } } };
    expect(parseSmartctlJson(JSON.stringify(doc))).toEqual({ standby: false, wearUsedRatio: 0.03, writtenBytes: 1234.5e9 });
  });

  it('standby: no data and no error', () => {
    expect(parseSmartctlJson(fixture('standby.json'), 2)).toEqual({ standby: true, wearUsedRatio: null, writtenBytes: null });
  });

  it('a device that cannot be opened, a rejected command line and non-JSON are errors', () => {
    expect(() => parseSmartctlJson(fixture('no-device.json'), 2)).toThrow(/No such device/);
    expect(() => parseSmartctlJson('{"smartctl":{"exit_status":1}}', 1)).toThrow(SmartctlOutputError);
    expect(() => parseSmartctlJson('smartctl: unrecognized option', 1)).toThrow(/not JSON/);
    expect(() => parseSmartctlJson('[1,2]')).toThrow(/not a JSON object/);
  });

  it('health bits (disk failing, errors logged) still give data; odd values are left out', () => {
    const doc = JSON.parse(fixture('nvme0n1.json'));
    doc.smartctl.exit_status = 64 + 8; // error log has entries, disk failing
    doc.nvme_smart_health_information_log.percentage_used = 'n/a';
    doc.unknown_future_section = { x: 1 };
    expect(parseSmartctlJson(JSON.stringify(doc))).toEqual({ standby: false, wearUsedRatio: null, writtenBytes: 123456789 * 512000 });
  });
});
