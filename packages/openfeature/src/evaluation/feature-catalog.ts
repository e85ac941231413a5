import type { Feature, Rollout } from '@rollout/core';

/** What resolution needs to know about a feature beside its answer. */
export interface CatalogEntry {
  /** The bucketing hash version stored with the feature. */
  readonly hashVersion: number;
  /** The feature's stored write version. */
  readonly version: number;
  /** Whether anything but `ALL`/`NONE` could decide for a user (lists, groups, rules, percentage). */
  readonly targeted: boolean;
  /**
   * Whether the feature serves values (it has variants or an `offValue`): its flag
   * value is then the variant's value, not whether it is on.
   */
  readonly valued: boolean;
}

function entryOf(feature: Feature): CatalogEntry {
  const groups = feature.groups.some((g) => g !== 'ALL' && g !== 'NONE');
  return {
    hashVersion: feature.hashVersion,
    version: feature.version,
    targeted:
      groups ||
      feature.users.length > 0 ||
      feature.excludedUsers.length > 0 ||
      feature.rules.length > 0 ||
      feature.percentage > 0,
    valued: (feature.variants?.length ?? 0) > 0 || feature.offValue !== undefined,
  };
}

/** A change the catalog saw: which features changed since the last one. */
export type CatalogListener = (flagsChanged: string[]) => void;

/**
 * A synchronous index of the client's snapshot: the feature names (sorted, for bulk
 * evaluation), each feature's hash version and write version (for flag metadata) and
 * whether it serves values (variants or an `offValue`).
 * `Rollout.snapshot()` copies every feature, too costly per request; the catalog is
 * kept current from the client's `ready`, `change` and `fresh` events instead.
 */
export class FeatureCatalog {
  private entries = new Map<string, CatalogEntry>();
  private sorted: readonly string[] | undefined = [];
  private readonly listeners = new Set<CatalogListener>();
  private readonly offs: (() => void)[];

  constructor(private readonly rollout: Rollout<never>) {
    this.offs = [
      rollout.on('ready', () => this.reload()),
      rollout.on('fresh', () => this.reload()),
      rollout.on('change', ({ name, feature }) => {
        if (feature) this.entries.set(name, entryOf(feature));
        else this.entries.delete(name);
        this.sorted = undefined;
        this.notify([name]);
      }),
    ];
    if (rollout.isReady) this.reload();
  }

  /** The entry of feature `name`, or undefined when the snapshot has no such feature. */
  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  /** Every feature name in the snapshot, sorted. */
  names(): readonly string[] {
    this.sorted ??= [...this.entries.keys()].sort();
    return this.sorted;
  }

  /** Calls `listener` with the names that changed, after every change; returns the unsubscribe function. */
  onChange(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following the client. */
  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.listeners.clear();
  }

  private reload(): void {
    const previous = this.entries;
    this.entries = new Map(this.rollout.snapshot().map((f) => [f.name, entryOf(f)]));
    this.sorted = undefined;
    const changed = new Set<string>();
    for (const [name, entry] of this.entries) {
      if (previous.get(name)?.version !== entry.version) changed.add(name);
    }
    for (const name of previous.keys()) if (!this.entries.has(name)) changed.add(name);
    if (changed.size > 0) this.notify([...changed].sort());
  }

  private notify(names: string[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(names);
      } catch {
        // One faulty listener must not keep the others from hearing about the change.
      }
    }
  }
}
