/** The request's spec cannot be used; `field` names the request field to blame. */
export class SpecInputError extends Error {
  constructor(message: string, readonly field: string, readonly status: 400 | 413 | 422 = 400) {
    super(message);
    this.name = 'SpecInputError';
  }
}
