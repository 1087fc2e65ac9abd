import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * The header with which the MCP endpoint's own calls to /api/v1 (over this server's socket, with
 * the caller's API key) say they relay a request already counted against its client's address.
 */
export const RELAY_HEADER = 'x-testloom-relay';

/** A secret of this process only: it never leaves the server (its calls go to its own socket). */
export function createRelayToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function isRelayed(req: Request, token: string | undefined): boolean {
  const presented = req.get(RELAY_HEADER);
  return token !== undefined && presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}
