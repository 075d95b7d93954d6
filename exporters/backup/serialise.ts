// One call at a time per repository: two targets reading the same repository (say, two hosts'
// snapshots with different filters) must not run restic or borg against it concurrently.

export class PerKeySerialiser {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier call with the same key has settled; gives up waiting when `signal` aborts. */
  async run<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    // The next caller waits for both: this one giving up early does not let it overtake `previous`.
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await waitUnlessAborted(previous, signal);
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function waitUnlessAborted(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error('aborted while waiting for another read of the same repository'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted while waiting for another read of the same repository'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
