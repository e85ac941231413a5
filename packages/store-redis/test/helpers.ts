import { uniqueName } from '@rollout/store-test-suite';

/** A key prefix no other test uses (Redis prefixes end in `:` by convention). */
export const uniquePrefix = (label: string) => `${uniqueName(label)}:`;
