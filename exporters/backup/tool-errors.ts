// What a failed restic/borg/git run means, in words an operator can act on. Pure.

interface Known {
  readonly re: RegExp;
  readonly reason: string;
}

// Messages restic 0.14+, borg 1.2 and git print for the failures people actually hit.
const KNOWN: readonly Known[] = [
  { re: /wrong password or no key found/i, reason: 'wrong password (no key opens the repository)' },
  { re: /an empty password is not a password|reading repository password from stdin/i, reason: 'password file is empty' },
  { re: /passphrase supplied in BORG_PASSPHRASE.*is incorrect|passphrase.*incorrect/i, reason: 'wrong passphrase' },
  { re: /Is there a repository at the following location|unable to open config file/i, reason: 'repository not found' },
  { re: /Repository .* does not exist/i, reason: 'repository not found' },
  { re: /is not a valid repository/i, reason: 'not a borg repository' },
  { re: /repository is already locked|Failed to create\/acquire the lock/i, reason: 'repository is locked' },
  { re: /dubious ownership/i, reason: 'repository owned by another user and the configured path is not its top directory (git safe.directory)' },
  { re: /not a git repository/i, reason: 'not a git repository' },
  { re: /does not have any commits yet|unknown revision|bad revision|ambiguous argument/i, reason: 'no commit at the configured ref' },
  { re: /Permission denied/i, reason: 'permission denied' },
];

/**
 * A short reason for a failed run: a known message's meaning, else the last line of stderr.
 * The caller scrubs secrets; tools never print passwords, but a log line is no place to trust that.
 */
export function describeToolFailure(stderr: string, stdout = ''): string {
  const text = `${stderr}\n${stdout}`;
  for (const k of KNOWN) if (k.re.test(text)) return k.reason;
  const lines = (stderr.trim() || stdout.trim()).split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1]?.trim().slice(0, 300);
  return last || 'no error message';
}

/** Replaces every occurrence of a secret by [redacted]. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('[redacted]');
}
