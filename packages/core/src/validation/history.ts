import { ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { HistoryAction, HistoryQuery, WriteContext } from '../store.js';
import { validateFeatureName } from './names.js';
import { checkText } from './text.js';

/** Who made a write and why, as every mutation of the client accepts it (its last argument). */
export interface WriteOptions {
  /** Who writes (default: the client's `actor`). 1 to 200 printable characters. */
  actor?: string;
  /** Why (recorded in history). 1 to 1,000 printable characters. */
  note?: string;
}

const ACTIONS: readonly HistoryAction[] = ['add', 'update', 'remove', 'restore'];

/** Checks an actor: 1 to 200 characters, no control characters, no surrounding white space. */
export function validateActor(actor: unknown, field = 'actor'): string {
  return checkText(field, actor, LIMITS.actorLength, 'an actor');
}

/** Checks a note: 1 to 1,000 characters, no control characters (no newlines), no surrounding white space. */
export function validateNote(note: unknown, field = 'note'): string {
  return checkText(field, note, LIMITS.noteLength, 'a note');
}

/**
 * Checks the `{ actor?, note?, action? }` of a write and returns a clean copy holding
 * only the fields that were given. Throws ValidationError naming the field.
 */
export function checkWriteContext(context: unknown): WriteContext {
  if (context === undefined) return {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new ValidationError('options', context, 'must be an object { actor?, note? }');
  }
  const raw = context as Record<string, unknown>;
  const out: { action?: HistoryAction; actor?: string; note?: string } = {};
  if (raw.action !== undefined) {
    if (!ACTIONS.includes(raw.action as HistoryAction)) {
      throw new ValidationError('action', raw.action, `must be one of ${ACTIONS.join(', ')}`);
    }
    out.action = raw.action as HistoryAction;
  }
  if (raw.actor !== undefined) out.actor = validateActor(raw.actor);
  if (raw.note !== undefined) out.note = validateNote(raw.note);
  return out;
}

/**
 * Checks a history query: `name` a feature name, `limit` an integer from 1 to 1,000
 * (default 100), `before` a positive integer revision. Throws ValidationError naming the field.
 */
export function checkHistoryQuery(
  query: unknown,
): Required<Pick<HistoryQuery, 'limit'>> & HistoryQuery {
  if (query === undefined) return { limit: 100 };
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new ValidationError('options', query, 'must be an object { name?, limit?, before? }');
  }
  const raw = query as Record<string, unknown>;
  const limit = raw.limit ?? 100;
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > LIMITS.historyPage
  ) {
    throw new ValidationError(
      'limit',
      raw.limit,
      `must be an integer from 1 to ${LIMITS.historyPage}`,
    );
  }
  const out: { name?: string; limit: number; before?: number } = { limit };
  if (raw.name !== undefined) out.name = validateFeatureName(raw.name);
  if (raw.before !== undefined) {
    if (typeof raw.before !== 'number' || !Number.isSafeInteger(raw.before) || raw.before < 1) {
      throw new ValidationError('before', raw.before, 'must be a positive integer (a revision)');
    }
    out.before = raw.before;
  }
  return out;
}
