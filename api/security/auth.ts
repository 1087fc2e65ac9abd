import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { HttpError } from '../errors';

const REALM = 'Bearer realm="testloom"';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Which configured key authenticated the request (`key-1` = the first of TESTLOOM_API_KEYS); never the key. */
export function apiKeyId(res: Response): string | undefined {
  return res.locals.apiKeyId as string | undefined;
}

/**
 * `Authorization: Bearer <key>` against the configured keys. Keys are compared as SHA-256 digests
 * with `timingSafeEqual` — fixed length, so neither the key's length nor its matching prefix shows
 * in the timing — and every configured key is compared, matched or not. No keys configured (a
 * loopback-only server): every request passes.
 */
export function bearerAuth(keys: readonly string[]): RequestHandler {
  const digests = keys.map(sha256);
  return (req, res, next) => {
    if (digests.length === 0) return next();
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', REALM);
      return next(new HttpError(401, 'unauthorized', header === undefined
        ? 'an API key is required: send "Authorization: Bearer <key>"'
        : 'the Authorization header must be "Bearer <key>"'));
    }
    const presented = sha256(match[1]);
    let found = -1;
    digests.forEach((digest, index) => {
      if (timingSafeEqual(digest, presented) && found < 0) found = index;
    });
    if (found < 0) {
      res.set('WWW-Authenticate', `${REALM}, error="invalid_token", error_description="the API key is not valid"`);
      return next(new HttpError(401, 'unauthorized', 'the API key is not valid'));
    }
    res.locals.apiKeyId = `key-${found + 1}`;
    next();
  };
}
