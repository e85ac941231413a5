import type { RolloutError } from '../errors.js';
import type { Feature } from '../model.js';

/** Where the client stands. */
export type RolloutStatus = 'starting' | 'ready' | 'stale' | 'closed';

/** A feature change seen by the client, from its own write or from another process. */
export interface FeatureChangeEvent {
  /** The feature's name. */
  name: string;
  /** The feature now, or undefined when it was removed. */
  feature: Feature | undefined;
  /** The feature before, or undefined when it is new. */
  previous: Feature | undefined;
  /** `local` for this client's own writes, `remote` for anything learned from the store. */
  source: 'local' | 'remote';
}

/** Events the client emits. */
export interface RolloutEvents {
  /** A feature changed. */
  change: FeatureChangeEvent;
  /** Something went wrong that the caller of `can` is never told about (store failure, throwing group predicate, use before ready). */
  error: RolloutError;
  /** The first snapshot loaded. */
  ready: { revision: number };
  /** The store became unreachable; the client serves its last snapshot. */
  stale: { error: RolloutError; since: string };
  /** The store is reachable again and the snapshot was resynced. */
  fresh: { revision: number };
}

/** How a part of the client tells the facade's listeners something: the facade's `emit`. */
export type Emit = <K extends keyof RolloutEvents>(event: K, payload: RolloutEvents[K]) => void;
