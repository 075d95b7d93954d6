// The `collectors.vmhost` section.
import { z } from 'zod';
import { section } from '../../src/config/fields.js';
import { scheduleAndTimeout } from '../../src/config/timing.js';
import { LibvirtUriError, libvirtEndpoint } from './libvirt-uri.js';

/** Every 30s; each libvirt round trip of a refresh is cut off after 10s. */
export const vmhostTiming = scheduleAndTimeout({ schedule: '30s', timeoutMs: 10_000 });

/** The system daemon of the qemu driver, as libvirt's clients default to as root. */
export const DEFAULT_URI = 'qemu:///system';

/** A local libvirt URI, whose read-only socket headroom can read (see libvirt-uri.ts). */
const libvirtUri = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((uri, issue) => {
    try {
      libvirtEndpoint(uri);
    } catch (err) {
      if (!(err instanceof LibvirtUriError)) throw err;
      issue.addIssue({ code: 'custom', message: err.message });
    }
  });

export function vmhostConfigSchema() {
  return section({
    /** libvirt connection URI, opened read-only over the local read-only socket. */
    libvirt_uri: libvirtUri.default(DEFAULT_URI),
    /**
     * Gone: libvirt is read over its RPC protocol, no virsh is run. Named here so that an old
     * config says what to do instead of "unknown key".
     */
    virsh: z.never({ error: 'removed: headroom reads libvirt over its RPC protocol on the read-only socket and runs no virsh; delete this key' }).optional(),
    ...vmhostTiming.fields,
    /** One series per domain (vCPUs, memory, state): off by default: 10 series per domain (vCPUs, memory, 8 states). */
    per_domain: z.boolean().default(false),
  }).superRefine((c, issue) => vmhostTiming.check(c, issue, ['timeout']));
}

export type VmhostConfig = z.output<ReturnType<typeof vmhostConfigSchema>>;
