import { createHash } from 'node:crypto';

/**
 * A strong ETag for a bulk response: a hash of its exact body. It changes when any
 * answer for this context changes, and only then (two contexts get different tags,
 * so a client that changed its context never gets a wrong 304).
 */
export function bodyEtag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** Whether `If-None-Match` names `etag` (a list, `*`, or weak forms of it). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
