/** Output of a backup tool that does not have the shape expected; the message says what is wrong. */
export class BackupParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupParseError';
  }
}
