/**
 * The runtime a framework's suites need is not there (pytest without Python's pytest and requests):
 * no retry can help, so the execute stage fails for good with the message, which says what to
 * install, and `failureType` as the failure's type.
 */
export class FrameworkUnavailableError extends Error {
  constructor(message: string, readonly failureType: string) {
    super(message);
    this.name = 'FrameworkUnavailableError';
  }
}
