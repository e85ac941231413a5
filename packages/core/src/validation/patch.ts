import { ValidationError } from '../errors.js';
import type { Feature, FeaturePatch } from '../model.js';
import { validateHashVersion, validatePercentage } from '../validation.js';
import { normalizeData, normalizeDescription } from './data.js';
import { normalizeGroupList, normalizeUserList } from './names.js';
import { normalizeRules } from './rules.js';
import { normalizeOffValue, normalizeUserVariants, normalizeVariants } from './variants.js';

/**
 * Checks an `updateFeature` patch and returns the normalized fields it sets. Fields
 * given as undefined are left out; a field a patch cannot change (name, version,
 * timestamps, anything unknown) is refused rather than ignored. An empty `variants`
 * or `userVariants` list removes the field; `offValue` is removed by `setOffValue(name, undefined)`.
 * Whether rules and pins name existing variants is checked on the result (`checkVariantReferences`).
 */
export function validatePatch(patch: FeaturePatch): Partial<Feature> {
  if (typeof patch !== 'object' || patch === null)
    throw new ValidationError('patch', patch, 'must be an object');
  const out: Partial<Feature> = {};
  for (const key of Object.keys(patch) as (keyof FeaturePatch)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    switch (key) {
      case 'description':
        out.description = normalizeDescription(value);
        break;
      case 'groups':
        out.groups = normalizeGroupList(value);
        break;
      case 'users':
        out.users = normalizeUserList(value, 'users');
        break;
      case 'excludedUsers':
        out.excludedUsers = normalizeUserList(value, 'excludedUsers');
        break;
      case 'percentage':
        out.percentage = validatePercentage(value);
        break;
      case 'rules':
        out.rules = normalizeRules(value);
        break;
      case 'data':
        out.data = normalizeData(value);
        break;
      case 'hashVersion':
        out.hashVersion = validateHashVersion(value);
        break;
      case 'variants':
        out.variants = Array.isArray(value) && value.length === 0 ? [] : normalizeVariants(value);
        break;
      case 'offValue':
        out.offValue = normalizeOffValue(value);
        break;
      case 'userVariants':
        out.userVariants = normalizeUserVariants(value);
        break;
      default:
        throw new ValidationError(String(key), value, 'not a field updateFeature can change');
    }
  }
  return out;
}
