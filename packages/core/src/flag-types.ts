/**
 * Typed flag names. `rollout typegen` (in `@rollout/cli`) writes a declaration that
 * augments {@link RolloutFlags}; from then on `can`, `explain`, `variant`, `value` and
 * `allFlags({ names })` accept only the declared names, and `variant`/`value` give
 * the declared variant names and value types. Left empty, every string is a name and
 * every JSON value a value, as before.
 *
 * ```ts
 * declare module '@rollout/core' {
 *   interface RolloutFlags {
 *     beta: { variant: never; value: never };                 // on/off only
 *     button_color: { variant: 'red' | 'green'; value: string };
 *   }
 * }
 * ```
 */
import type { JsonValue } from './model.js';
import type { VariantResult } from './variant-evaluate.js';

/** What one declared flag serves: its variant names and the type of its values. */
export interface FlagDeclaration {
  variant: string;
  value: JsonValue;
}

/** The app's flags, by name; augmented by the declaration `rollout typegen` writes. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by module augmentation
export interface RolloutFlags {}

/** A flag name: a declared one once {@link RolloutFlags} is augmented, else any string. */
export type FlagName = [keyof RolloutFlags] extends [never]
  ? string
  : Extract<keyof RolloutFlags, string>;

/** The variant names flag `N` declares (any string when undeclared). */
export type FlagVariantOf<N extends string> = N extends keyof RolloutFlags
  ? RolloutFlags[N] extends { variant: infer V extends string }
    ? V
    : string
  : string;

/** The type of flag `N`'s values (any JSON value when undeclared; `never`: it has none). */
export type FlagValueOf<N extends string> = N extends keyof RolloutFlags
  ? RolloutFlags[N] extends { value: infer V }
    ? V
    : JsonValue
  : JsonValue;

/** `rollout.variant`'s result for flag `N`: its variant and value typed as declared. */
export type FlagVariantResult<N extends string> = VariantResult & {
  readonly variant?: FlagVariantOf<N>;
  readonly value?: FlagValueOf<N>;
};

/** A fallback's type as `value` returns it: a literal widened to its primitive (`'x'` → string). */
export type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T;
