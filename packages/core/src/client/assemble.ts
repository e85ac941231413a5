import { validateActor } from '../validation/history.js';
import { userIdOf } from '../validation.js';
import { ChangeHistory } from './change-history.js';
import { Evaluator } from './evaluator.js';
import type { Emit } from './events.js';
import { FeatureWriter } from './feature-writer.js';
import { LocalSnapshot } from './local-snapshot.js';
import type { RolloutOptions } from './options.js';
import { SyncLoop } from './sync-loop.js';

/** The parts of one `Rollout` client, wired to each other. */
export interface ClientParts<U> {
  local: LocalSnapshot;
  sync: SyncLoop;
  writer: FeatureWriter;
  evaluator: Evaluator<U>;
  changes: ChangeHistory;
}

/**
 * Builds the client's parts from its options: the local snapshot, the sync loop
 * (which starts at once: connect, subscribe, first load), the writer (which asks the
 * loop whether the client is closed), the evaluator and the change history.
 * `emit` is the facade's event emitter.
 */
export function assembleClient<U>(options: RolloutOptions<U>, emit: Emit): ClientParts<U> {
  const store = options.store;
  const actor = options.actor === undefined ? undefined : validateActor(options.actor);
  const now = options.now ?? (() => new Date());
  const local = new LocalSnapshot((change) => emit('change', change));
  const sync = new SyncLoop({
    store,
    snapshot: local,
    emit,
    pollInterval: options.pollInterval ?? store.capabilities.pollIntervalMs,
    maxBackoff: options.maxBackoff ?? 5000,
    now,
  });
  const evaluator = new Evaluator<U>({ snapshot: local, sync, emit, mapUser: options.mapUser });
  const writer = new FeatureWriter({
    store,
    snapshot: local,
    lifecycle: sync,
    userId: (userOrId) => userIdOf(evaluator.userForId(userOrId)),
    writeAttempts: options.writeAttempts ?? 100,
    actor,
    now,
  });
  const changes = new ChangeHistory(store, sync, writer);
  return { local, sync, writer, evaluator, changes };
}
