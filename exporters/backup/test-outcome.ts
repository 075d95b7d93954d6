/** What one attempt of a slow test (integrity check, restore test) came to. */
export type TestOutcome =
  | { readonly kind: 'passed'; readonly restoredBytes?: number }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'skipped'; readonly reason: string };

export const failed = (reason: string): TestOutcome => ({ kind: 'failed', reason });
export const skipped = (reason: string): TestOutcome => ({ kind: 'skipped', reason });
