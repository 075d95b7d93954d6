import { createHash, timingSafeEqual } from 'node:crypto';

// A hash of a random password: unknown users are compared against it so that a wrong user
// name costs as much as a wrong password.
const DUMMY_HASH = '$2b$10$oVrvRP8jaJx.OTsz7Zi3ceQdJM.WBDX.vWjr1eARJDKQP5BSYheX.';
const CACHE_LIMIT = 1024;

/**
 * Checks `Authorization: Basic` headers against bcrypt hashes. bcrypt is deliberately slow
 * (~100 ms at cost 10), too slow for every scrape: successful checks are cached by a SHA-256 of
 * the credentials, as exporter-toolkit does.
 */
export class BasicAuth {
  private readonly verified = new Map<string, Buffer>();

  constructor(private users: ReadonlyMap<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Swaps the user list (config reload); forgets cached checks. */
  setUsers(users: ReadonlyMap<string, string>): void {
    this.users = users;
    this.verified.clear();
  }

  async check(header: string | undefined): Promise<boolean> {
    if (!this.enabled) return true;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const digest = createHash('sha256').update(user).update('\0').update(password).digest();
    const cached = this.verified.get(user);
    if (cached && timingSafeEqual(cached, digest)) return true;
    const hash = this.users.get(user);
    // Imported at the first check, not at startup: most exporters run without basic auth, and
    // bcryptjs would stay resident (~1 MB) in every one of them.
    const { default: bcrypt } = await import('bcryptjs');
    const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
    if (!ok || hash === undefined) return false;
    if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
    this.verified.set(user, digest);
    return true;
  }
}
