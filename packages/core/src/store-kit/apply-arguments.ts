import { checkOperations, type FeatureOperation } from '../operations.js';
import type { WriteContext } from '../store.js';
import { checkWriteContext } from '../validation/history.js';
import { validateFeatureName } from '../validation.js';

/**
 * The checks every store's `apply` starts with, before anything reaches the backend:
 * the name, the operations ({@link checkOperations}) and the write context (kit
 * `checkWriteContext`). Throws ValidationError; returns the normalized arguments.
 */
export function checkApplyArguments(
  name: unknown,
  operations: unknown,
  context: unknown,
): { name: string; operations: FeatureOperation[]; context: WriteContext } {
  return {
    name: validateFeatureName(name),
    operations: checkOperations(operations),
    context: checkWriteContext(context),
  };
}
