/** The message of anything thrown: an Error's message, or the value itself as text. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
