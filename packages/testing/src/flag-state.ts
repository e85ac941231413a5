import {
  type FeatureInput,
  type JsonValue,
  type UserId,
  type UserVariant,
  ValidationError,
  type Variant,
} from '@rollout/core';

/**
 * What a flag answers in a test. `true`: on for everyone; `false`: off. An object
 * names the variant and/or value served (on unless `enabled: false`; off, `value` is
 * the flag's `offValue`).
 */
export type FlagState =
  | boolean
  | {
      /** Default true. */
      enabled?: boolean;
      /** The variant served when on (default `on` when a `value` is given). */
      variant?: string;
      /** The value served: the variant's when on, the `offValue` when off. */
      value?: JsonValue;
    };

/** A flag state with its defaults filled in. */
interface State {
  enabled: boolean;
  variant: string | undefined;
  value: JsonValue | undefined;
}

const DEFAULT_VARIANT = 'on';
/** What everyone gets from a plain flag whose user overrides carry variants. */
const PLAIN_VARIANT = 'default';

function normalize(state: FlagState, field: string): State {
  if (typeof state === 'boolean') return { enabled: state, variant: undefined, value: undefined };
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new ValidationError(
      field,
      state,
      'a flag state is true, false or { enabled?, variant?, value? }',
    );
  }
  return { enabled: state.enabled ?? true, variant: state.variant, value: state.value };
}

/**
 * The feature that answers `state` for everyone and each override for its user,
 * through the ordinary evaluation order: group `ALL` for "on", the deny list for a
 * user turned off, the user list for a user turned on, variants pinned per user
 * (weight 0 where only pinned users get them).
 */
export function featureFor(
  name: string,
  state: FlagState,
  overrides: ReadonlyMap<UserId, FlagState> = new Map(),
): FeatureInput {
  const base = normalize(state, name);
  const variants: Variant[] = [];
  const variantFor = (s: State): string | undefined => {
    if (s.variant === undefined && s.value === undefined) return undefined;
    const variant = s.variant ?? DEFAULT_VARIANT;
    const value = s.value ?? null;
    const known = variants.find((v) => v.name === variant);
    if (known === undefined) variants.push({ name: variant, value, weight: 0 });
    else if (JSON.stringify(known.value) !== JSON.stringify(value)) {
      throw new ValidationError(name, value, `variant ${variant} of ${name} has one value`);
    }
    return variant;
  };
  const input: FeatureInput = { name, groups: base.enabled ? ['ALL'] : [] };
  if (base.enabled) variantFor(base);
  else if (base.value !== undefined) input.offValue = base.value;
  const users: UserId[] = [];
  const excludedUsers: UserId[] = [];
  const userVariants: UserVariant[] = [];
  for (const [user, override] of overrides) {
    const s = normalize(override, `${name} for user ${user}`);
    if (!s.enabled) {
      excludedUsers.push(user);
      continue;
    }
    users.push(user);
    const variant = variantFor(s);
    if (variant !== undefined) userVariants.push({ user: String(user), variant });
  }
  // Everyone else must not get an override's variant: give them one without a value.
  if (base.enabled && variants.length > 0 && variantFor(base) === undefined)
    variants.unshift({ name: PLAIN_VARIANT, value: null, weight: 0 });
  // Weights sum to 100: the flag's own variant takes it all; the others are served
  // only to the users pinned to them.
  const main = variants[0];
  if (main !== undefined) main.weight = 100;
  if (variants.length > 0) input.variants = variants;
  if (users.length > 0) input.users = users;
  if (excludedUsers.length > 0) input.excludedUsers = excludedUsers;
  if (userVariants.length > 0) input.userVariants = userVariants;
  return input;
}
