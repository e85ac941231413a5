import type { Feature } from '../model.js';

/**
 * A deep copy of a feature record: what a store hands out and what it keeps, so a
 * caller changing a returned record never changes the stored one.
 */
export function copyFeature(feature: Feature): Feature {
  return structuredClone(feature);
}
