// The swap collector's catalog (alerts, dashboards and the planner import it). Swap and block-device
// figures are read at scrape time; SMART figures are refreshed in the background.
import { counter, gauge } from '../../src/metrics.js';

const bg = 'Refreshed in the background on swap.smartctl_schedule (default 6h) with smartctl; devices in standby are not woken and keep their last reading.';

export const swapMetrics = {
  swapIn: counter('headroom_swap_in_bytes_total', 'Bytes swapped in since boot (pswpin in /proc/vmstat x page size).'),
  swapOut: counter('headroom_swap_out_bytes_total', 'Bytes swapped out since boot (pswpout in /proc/vmstat x page size): what swap writes to its devices.'),
  deviceSize: gauge('headroom_swap_device_size_bytes', 'Size of an active swap area in bytes (/proc/swaps); device = the partition or file as swapon named it.', ['device']),
  deviceUsed: gauge('headroom_swap_device_used_bytes', 'Bytes in use in a swap area (/proc/swaps).', ['device']),
  devicePriority: gauge('headroom_swap_device_priority', 'Priority of a swap area (/proc/swaps); higher is used first, equal priorities are striped.', ['device']),
  deviceRotational: gauge(
    'headroom_swap_device_rotational',
    'Whether the disk holding a swap area spins (1) or is an SSD (0), from /sys/block/<disk>/queue/rotational; absent when the disk is unknown.',
    ['device'],
  ),
  deviceWritten: counter(
    'headroom_swap_device_written_bytes_total',
    'Bytes written to the block device holding a swap area (/proc/diskstats sectors written x 512): the partition for a swap partition, the whole filesystem\'s device for a swap file.',
    ['device'],
  ),
  deviceInfo: gauge(
    'headroom_swap_device_info',
    'Relates a swap area (device) to the block device holding it and its whole disk (kernel names, as node_exporter\'s device label and the ssd_* device label); always 1.',
    ['device', 'type', 'block_device', 'disk'],
  ),
  ssdWearUsed: gauge(
    'headroom_ssd_wear_used_ratio',
    `Share of the SSD's rated endurance used (1 = 100 %; NVMe Percentage Used, ATA Percentage Used Endurance Indicator or vendor wear attribute, SCSI endurance indicator). ${bg}`,
    ['device'],
  ),
  ssdWritten: counter(
    'headroom_ssd_written_bytes_total',
    `Bytes the host has written to the SSD over its life, from SMART (NVMe data units x 512000, ATA Logical Sectors Written or LBAs written x logical block size, SCSI gigabytes processed). ${bg}`,
    ['device'],
  ),
  ssdReadTimestamp: gauge(
    'headroom_ssd_smart_read_timestamp_seconds',
    `Unix time when the SSD's SMART data served now was read. ${bg}`,
    ['device'],
  ),
  ssdEndurance: gauge(
    'headroom_ssd_endurance_bytes',
    'Rated write endurance of the SSD in bytes (TBW), from the swap.endurance configuration: with ssd_written_bytes_total and its rate, forecasts the wear-out date.',
    ['device'],
  ),
} as const;

export const swapCatalog = Object.values(swapMetrics);
