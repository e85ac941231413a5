import type { IncomingHttpHeaders } from 'node:http';
import type { User } from '@rollout/core';

/**
 * The user a request speaks for. From the query (`?user=123&groups=vip,beta&country=NZ`,
 * any other parameter becomes an attribute) or, when the query names no user, from
 * the headers `x-user-id`, `x-user-groups` (comma-separated) and `x-user-country`.
 * A real app would take this from its session; here it is spelled out so you can
 * try every flag from a browser or curl. No id: an anonymous user (never in a percentage).
 */
export function userFromRequest(query: URLSearchParams, headers: IncomingHttpHeaders): User {
  const user: User = {};
  const id = query.get('user') ?? header(headers, 'x-user-id');
  if (id !== undefined && id !== '') user.id = id;
  const groups = query.get('groups') ?? header(headers, 'x-user-groups');
  if (groups) {
    user.groups = groups
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
  }
  const country = query.get('country') ?? header(headers, 'x-user-country');
  if (country) user.country = country;
  for (const [key, value] of query) {
    if (key === 'user' || key === 'groups' || key === 'country') continue;
    // Attributes are data on a plain object; a parameter named __proto__ must not reach the prototype.
    Object.defineProperty(user, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return user;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
