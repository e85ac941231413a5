import { ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { UserId } from '../model.js';
import { checkList, checkText, FORBIDDEN_CHARS } from './text.js';

/** Checks a feature name: 1 to 200 characters, no control characters, no surrounding white space. */
export function validateFeatureName(name: unknown, field = 'name'): string {
  return checkText(field, name, LIMITS.nameLength, 'a feature name');
}

/** Checks a group name (same rules as feature names). `ALL` and `NONE` are the special groups. */
export function validateGroupName(group: unknown, field = 'group'): string {
  return checkText(field, group, LIMITS.groupLength, 'a group name');
}

/**
 * Normalizes a user id to the string that is stored: strings as they are, finite
 * numbers as their decimal form (`123` and `'123'` are the same user).
 */
export function normalizeUserId(id: unknown, field = 'user id'): string {
  if (typeof id === 'number') {
    if (!Number.isFinite(id))
      throw new ValidationError(field, id, 'a numeric user id must be finite');
    return String(id);
  }
  if (typeof id === 'string') {
    // Ids may contain anything printable, including , | : and quotes: they are data everywhere.
    if (id.length === 0) throw new ValidationError(field, id, 'a user id must not be empty');
    if (id.length > LIMITS.userIdLength) {
      throw new ValidationError(
        field,
        id,
        `a user id is ${id.length} characters long; the limit is ${LIMITS.userIdLength}`,
      );
    }
    if (FORBIDDEN_CHARS.test(id)) {
      throw new ValidationError(
        field,
        id,
        'a user id must not contain control characters or lone surrogates',
      );
    }
    return id;
  }
  throw new ValidationError(field, id, 'a user id must be a string or a finite number');
}

/** Extracts and normalizes the id of a user object, or of an id given directly. */
export function userIdOf(userOrId: unknown, field = 'user'): string {
  if (typeof userOrId === 'object' && userOrId !== null) {
    const id = (userOrId as { id?: unknown }).id;
    if (id === undefined || id === null)
      throw new ValidationError(`${field}.id`, id, 'the user has no id');
    return normalizeUserId(id, `${field}.id`);
  }
  return normalizeUserId(userOrId, field);
}

function sortedUnique(values: string[]): string[] {
  const out = [...new Set(values)];
  out.sort();
  return out;
}

/** Normalizes a list of user ids: validated, stringified, de-duplicated, sorted. */
export function normalizeUserList(value: unknown, field: string): string[] {
  const list = checkList<UserId>(field, value, LIMITS.users);
  return sortedUnique(list.map((id, i) => normalizeUserId(id, `${field}[${i}]`)));
}

/** Normalizes a list of group names: validated, de-duplicated, sorted. */
export function normalizeGroupList(value: unknown, field = 'groups'): string[] {
  const list = checkList<string>(field, value, LIMITS.groups);
  return sortedUnique(list.map((g, i) => validateGroupName(g, `${field}[${i}]`)));
}
