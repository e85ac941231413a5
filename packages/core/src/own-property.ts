/**
 * Own-property reads that cost one property read in the common case. Evaluation only
 * lets a user's *own* attributes and groups count (an inherited value, from a shared
 * prototype or a polluted `Object.prototype`, never matches), and
 * `Object.prototype.hasOwnProperty` is a call into the engine that costs several
 * times the read itself. Most users are plain objects, and for a plain object the read
 * can come first: whatever it finds is its own value or a value `Object.prototype`
 * holds, so a value that does not pass the condition decides without the own check,
 * and only a passing value pays for it. Other objects (class instances, prototypes of
 * the caller's) keep the own check first, so no accessor they inherit is ever called.
 */

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * How a property may be read: what {@link ownReadOrder} answers. (An enum, so the build
 * writes the numbers in place: module constants would be loads on the hot path.)
 */
export enum OwnReadOrder {
  /** The object has no such property, own or inherited: nothing to read. */
  NO_PROPERTY = 0,
  /**
   * A plain object (its prototype is `Object.prototype` or null): read first, then call
   * {@link isOwn} only if the value passes. A value inherited from `Object.prototype` is
   * read and dropped; `Object.prototype`'s only accessor, `__proto__`, has no side effect.
   */
  READ_FIRST = 1,
  /** Any other object (or a primitive from `mapUser`): {@link isOwn} first, then read. */
  CHECK_FIRST = 2,
}

/**
 * How to read property `name` of `o` so that only an own property counts and no
 * inherited accessor of a non-plain object runs. `in` and `Object.getPrototypeOf` call
 * no accessor (a Proxy's `has` and `getPrototypeOf` traps run); on a known object shape
 * the optimizing compiler folds both to constants. Never throws for an object.
 */
export function ownReadOrder(o: unknown, name: string): OwnReadOrder {
  // `in` throws on primitives; they keep the order of `hasOwnProperty.call`, which does not.
  if (typeof o !== 'object' || o === null) return OwnReadOrder.CHECK_FIRST;
  if (!(name in o)) return OwnReadOrder.NO_PROPERTY;
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null
    ? OwnReadOrder.READ_FIRST
    : OwnReadOrder.CHECK_FIRST;
}

/** Whether `name` is an own property of `o` (`Object.prototype.hasOwnProperty`). */
export function isOwn(o: unknown, name: string): boolean {
  return hasOwn.call(o, name);
}

/**
 * Whether `o` has an own property `name` whose value is `value` (`===`): the order of
 * {@link ownReadOrder}, written out so that the plain-object path (the one-rule
 * evaluator's whole work) stays a few bytecodes the optimizing compiler inlines into
 * `can` even when other kinds' paths are inlined there too; the rest goes out of line.
 */
export function ownEquals(o: unknown, name: string, value: unknown): boolean {
  // `in` first: it calls no accessor, and gives the compiler the map that folds the
  // prototype read to a constant. Whatever is not a plain object holding `name` (a
  // primitive, another prototype, a missing property) takes the out-of-line path.
  if (typeof o === 'object' && o !== null && name in o) {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null)
      return (o as Record<string, unknown>)[name] === value && hasOwn.call(o, name);
  }
  return checkedOwnEquals(o, name, value);
}

/** {@link ownEquals} for anything but a plain object: the own check first, then the read. */
function checkedOwnEquals(o: unknown, name: string, value: unknown): boolean {
  return hasOwn.call(o, name) && (o as Record<string, unknown>)[name] === value;
}

/** Whether `o` has an own property `name` whose value passes `test` (in {@link ownEquals}' order). */
export function ownPasses(o: unknown, name: string, test: (value: unknown) => boolean): boolean {
  if (typeof o === 'object' && o !== null && name in o) {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null)
      return test((o as Record<string, unknown>)[name]) && hasOwn.call(o, name);
  }
  return checkedOwnPasses(o, name, test);
}

/** {@link ownPasses} for anything but a plain object: the own check first, then the read. */
function checkedOwnPasses(o: unknown, name: string, test: (value: unknown) => boolean): boolean {
  return hasOwn.call(o, name) && test((o as Record<string, unknown>)[name]);
}
