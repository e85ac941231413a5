import { type Feature, type FeatureContentField, featureFromInput } from '@rollout/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** The format tag of the export files this release writes and reads. */
export const EXPORT_FORMAT = 'rollout-export/v1';

/**
 * One feature in an export file. Import needs only `name`; the other fields
 * default as in `addFeature`. `createdAt`/`updatedAt` are informational: import
 * ignores them (the target store stamps its own), and `version` is never written.
 */
export type ExportedFeature = Pick<Feature, 'name' | FeatureContentField> &
  Partial<Pick<Feature, 'createdAt' | 'updatedAt'>>;

/**
 * An export file (`rollout export`), version 1:
 *
 * ```json
 * { "format": "rollout-export/v1", "features": [ { "name": "chat", "percentage": 20, ... } ] }
 * ```
 *
 * Features are sorted by name and every field is written in a fixed order, so an
 * export committed to git diffs cleanly. A future incompatible change gets a new
 * tag (`rollout-export/v2`); this release refuses tags it does not know.
 */
export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  features: ExportedFeature[];
}

/** Builds the export document of `features` (sorted by name, fixed field order). */
export function toExportDocument(features: readonly Feature[]): ExportDocument {
  const sorted = [...features].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    format: EXPORT_FORMAT,
    features: sorted.map((f) => ({
      name: f.name,
      description: f.description,
      groups: f.groups,
      users: f.users,
      excludedUsers: f.excludedUsers,
      percentage: f.percentage,
      rules: f.rules,
      data: f.data,
      hashVersion: f.hashVersion,
      // Only when set, so an export of plain on/off features reads as before variants.
      ...(f.variants ? { variants: f.variants } : {}),
      ...('offValue' in f ? { offValue: f.offValue } : {}),
      ...(f.userVariants ? { userVariants: f.userVariants } : {}),
      createdAt: f.createdAt,
      updatedAt: f.updatedAt,
    })),
  };
}

function invalid(source: string, message: string, cause?: unknown): CliError {
  return new CliError(`${source}: ${message}`, EXIT.ERROR, {
    hint: `an export file looks like { "format": "${EXPORT_FORMAT}", "features": [ ... ] } (see rollout export --help)`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Parses and validates an export file completely (every feature, duplicate
 * names) before anything is written, so a bad file changes nothing. Returns the
 * features normalized as `addFeature` would store them (version 0).
 */
export function parseExportDocument(text: string, source: string): Feature[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalid(
      source,
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      error,
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalid(source, 'not a rollout export (expected a JSON object)');
  }
  const { format, features } = doc as { format?: unknown; features?: unknown };
  if (format === undefined)
    throw invalid(source, `not a rollout export (no "format": "${EXPORT_FORMAT}")`);
  if (format !== EXPORT_FORMAT) {
    throw invalid(
      source,
      `format ${JSON.stringify(format)} is not supported; this rollout reads ${EXPORT_FORMAT} (a newer format needs a newer @rollout/cli)`,
    );
  }
  if (!Array.isArray(features)) throw invalid(source, '"features" must be an array');
  const now = new Date().toISOString();
  const seen = new Set<string>();
  return features.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw invalid(source, `features[${i}] must be an object with at least a "name"`);
    }
    const {
      createdAt: _c,
      updatedAt: _u,
      version: _v,
      ...content
    } = entry as Record<string, unknown>;
    let feature: Feature;
    try {
      feature = featureFromInput(content, now);
    } catch (error) {
      const name = typeof content.name === 'string' ? ` (${JSON.stringify(content.name)})` : '';
      throw invalid(
        source,
        `features[${i}]${name}: ${error instanceof Error ? error.message.replace(/^\[rollout\] /, '') : String(error)}`,
        error,
      );
    }
    if (seen.has(feature.name)) {
      throw invalid(
        source,
        `features[${i}]: ${JSON.stringify(feature.name)} appears more than once`,
      );
    }
    seen.add(feature.name);
    return feature;
  });
}
