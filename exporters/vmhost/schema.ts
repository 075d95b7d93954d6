// The `collectors.vmhost` section's validation (run by the config child, never by serve).
import { z } from 'zod';
import { section, timingFields } from '../../src/config/fields.js';
import { DEFAULT_URI, vmhostTiming } from './config.js';
import { LibvirtUriError, libvirtEndpoint } from './libvirt-uri.js';
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
    ...timingFields(vmhostTiming),
    /** One series per domain (vCPUs, memory, state): off by default: 10 series per domain (vCPUs, memory, 8 states). */
    per_domain: z.boolean().default(false),
  }).superRefine((c, issue) => vmhostTiming.check(c, issue, ['timeout']));
}

