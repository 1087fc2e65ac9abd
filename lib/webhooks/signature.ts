import type { Webhooks } from '@octokit/webhooks';

/**
 * Checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body) with @octokit/webhooks, which
 * compares in constant time. The raw bytes must be used: re-serialised JSON would not match.
 */
export class SignatureVerifier {
  private webhooks?: Promise<Webhooks>;

  constructor(private readonly secret: string) {}

  async verify(rawBody: Buffer, signature: string | undefined): Promise<boolean> {
    if (!signature || !signature.startsWith('sha256=')) return false;
    // @octokit/webhooks is ESM-only: loaded with import(), which works from CommonJS and tsx.
    this.webhooks ??= import('@octokit/webhooks').then(({ Webhooks }) => new Webhooks({ secret: this.secret }));
    try {
      return await (await this.webhooks).verify(rawBody.toString('utf8'), signature);
    } catch {
      return false;
    }
  }
}
