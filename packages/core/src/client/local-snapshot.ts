import { type CompiledFeature, compileFeature } from '../evaluate.js';
import type { Feature } from '../model.js';
import { sameContent } from '../mutate.js';
import type { StoreSnapshot } from '../store.js';
import type { FeatureChangeEvent } from './events.js';
import { compileListEdit, type TouchedIds } from './list-edit-compile.js';

/** What a local write tells besides its record: where it stands in the store, what it touched. */
export interface LocalWrite {
  /** The store revision the write produced (ApplyResult.revision), when the store said. */
  readonly revision?: number;
  /** The ids its operations named, when it only added or removed ids (compiled incrementally). */
  readonly touched?: TouchedIds;
}

/**
 * The client's local copy of the store: the compiled features evaluation reads, the
 * revision they come from, and the read-your-writes bookkeeping that keeps a refresh
 * from undoing this client's own writes. Every change, whatever its origin, goes
 * through one path ({@link LocalSnapshot.apply}) and one rule for what is skipped
 * ({@link skipsRecord}). It does no I/O: the sync loop and the writer feed it.
 */
export class LocalSnapshot {
  private readonly compiled = new Map<string, CompiledFeature>();
  private currentRevision = -1;
  // Local writes bump an epoch so that a refresh fetched before them cannot undo them.
  private localEpoch = 0;
  private readonly touched = new Map<string, number>();
  // Every change applied is numbered per name, so a local write can tell whether its
  // feature changed here (a refresh, another write) while it was on its way.
  private applySeq = 0;
  private readonly appliedAt = new Map<string, number>();
  // Names whose held record is this client's own write (of that store revision, when known).
  private readonly heldWrites = new Map<
    string,
    { revision: number | undefined; version: number }
  >();
  // This client's writes on their way, per name: each settles once its result is applied.
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();

  /** @param onChange told of every change applied, synchronously, in the order applied. */
  constructor(private readonly onChange: (change: FeatureChangeEvent) => void) {}

  /** The revision of the snapshot (-1 before the first load). */
  get revision(): number {
    return this.currentRevision;
  }

  /** The compiled feature `name`, for evaluation; undefined when unknown. */
  get(name: string): CompiledFeature | undefined {
    return this.compiled.get(name);
  }

  /** Copies of every known feature, sorted by name: a caller changing them cannot make the snapshot disagree with evaluation. */
  features(): Feature[] {
    return [...this.compiled.values()].map((cf) => structuredClone(cf.feature)).sort(byName);
  }

  /** The names of every known feature, sorted (code unit order). */
  names(): string[] {
    return [...this.compiled.keys()].sort();
  }

  /** Marks the start of a read from the store: records applied later by a local write count as newer than what it reads. */
  epoch(): number {
    return this.localEpoch;
  }

  /** Marks the start of a local write: {@link applyLocal} compares against it. */
  sequence(): number {
    return this.applySeq;
  }

  /**
   * Applies this client's own write at once (read-your-writes). `since` is
   * {@link sequence} when the write read the store: if nothing changed `name` here
   * after that (no refresh, no other write of this client), the result is the newest
   * record; otherwise an older result must not replace what came meanwhile.
   */
  applyLocal(name: string, feature: Feature | undefined, since = -1, write?: LocalWrite): void {
    this.touched.set(name, ++this.localEpoch);
    const mayBeOlder = (this.appliedAt.get(name) ?? 0) > since;
    const applied = this.apply(name, feature, 'local', mayBeOlder, write?.touched);
    // Without the write's revision, its version only vouches for the record when nothing
    // else was applied to the name meanwhile (a remove heard meanwhile may have ended
    // the life this write wrote to).
    if (applied && feature && (write?.revision !== undefined || !mayBeOlder))
      this.heldWrites.set(name, { revision: write?.revision, version: feature.version });
  }

  /**
   * Registers a write of `name` by this client until `done` settles (`done` should
   * settle once its result is applied). See {@link writesSettled}.
   */
  trackWrite(name: string, done: Promise<unknown>): void {
    const writes = this.inFlight.get(name) ?? new Set<Promise<unknown>>();
    this.inFlight.set(name, writes);
    writes.add(done);
    const settle = () => {
      writes.delete(done);
      if (writes.size === 0 && this.inFlight.get(name) === writes) this.inFlight.delete(name);
    };
    done.then(settle, settle);
  }

  /**
   * Settles (never rejects) once every write of `names` this client has on its way now
   * has settled: a notification that arrives before the answer of the write that caused
   * it (another connection, or in process) waits for that answer, and then
   * {@link holdsChange} tells it that nothing needs reading.
   */
  writesSettled(names: Iterable<string>): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const name of names) for (const w of this.inFlight.get(name) ?? []) writes.push(w);
    return Promise.all(writes.map((w) => w.catch(() => undefined))).then(() => undefined);
  }

  /**
   * Whether the record held for `name` already has every change of `name` notified up
   * to `revision`, so reading it back is unnecessary: it is this client's own write and
   * either the write's store revision is known and is `revision` or later, or `version`
   * (the newest version those notifications announced; undefined when one of them
   * announced none, such as a remove, which may start a new life) is at most the held
   * write's version. A record applied any other way answers false.
   */
  holdsChange(name: string, revision: number, version: number | undefined): boolean {
    const held = this.heldWrites.get(name);
    if (!held) return false;
    if (held.revision !== undefined) return held.revision >= revision;
    return version !== undefined && version <= held.version;
  }

  /**
   * Applies a record read from the store when {@link epoch} was `epoch`. A name this
   * client wrote after that is skipped: its own write is newer than the read.
   */
  applyRemote(name: string, feature: Feature | undefined, epoch: number): void {
    if ((this.touched.get(name) ?? 0) > epoch) return;
    this.apply(name, feature, 'remote', false);
  }

  /**
   * Replaces the snapshot by a whole store snapshot read when {@link epoch} was
   * `epoch`: records through {@link applyRemote}, features it lacks removed the same
   * way, and the revision taken from it (also when it went back: a reset backend).
   */
  applySnapshot(snap: StoreSnapshot, epoch: number): void {
    const seen = new Set<string>();
    for (const feature of snap.features) {
      seen.add(feature.name);
      this.applyRemote(feature.name, feature, epoch);
    }
    for (const name of [...this.compiled.keys()])
      if (!seen.has(name)) this.applyRemote(name, undefined, epoch);
    this.currentRevision = snap.revision;
    // Writes older than this snapshot are in it; forget them so the map stays small.
    for (const [name, e] of this.touched) if (e <= epoch) this.touched.delete(name);
  }

  /** Moves the revision forward after incremental updates up to `revision` (never back). */
  advanceTo(revision: number): void {
    if (revision > this.currentRevision) this.currentRevision = revision;
  }

  // Applies a record unless skipsRecord says otherwise; true when applied.
  private apply(
    name: string,
    feature: Feature | undefined,
    source: 'local' | 'remote',
    mayBeOlder: boolean,
    touched?: TouchedIds,
  ): boolean {
    const held = this.compiled.get(name);
    const previous = held?.feature;
    if (skipsRecord(previous, feature, mayBeOlder)) return false;
    this.heldWrites.delete(name);
    if (feature === undefined) this.compiled.delete(name);
    else {
      const edited = held && touched && compileListEdit(held, feature, touched);
      this.compiled.set(name, edited || compileFeature(feature));
    }
    this.appliedAt.set(name, ++this.applySeq);
    this.onChange({ name, feature, previous, source });
    return true;
  }
}

/**
 * The one rule for whether a record leaves the snapshot as it is. A removal of an
 * unknown feature changes nothing. A record that may be older than what is held (a
 * local write's answer arriving after a refresh or another write applied its feature)
 * is skipped when the held one is the same life of the feature at the same or a newer
 * version. Any other record is the newest there is (refreshes are serialized, names
 * written locally meanwhile are skipped by the epoch check), so only an identical one
 * is skipped, content included: a hand-edited file can change content without bumping
 * version or timestamp, and a feature removed and re-created starts again at version 1
 * with timestamps that may equal the old ones, so versions of different lives do not
 * compare.
 */
export function skipsRecord(
  previous: Feature | undefined,
  next: Feature | undefined,
  mayBeOlder: boolean,
): boolean {
  if (next === undefined) return previous === undefined;
  if (previous === undefined) return false;
  if (mayBeOlder) return previous.createdAt === next.createdAt && previous.version >= next.version;
  return (
    previous.version === next.version &&
    previous.updatedAt === next.updatedAt &&
    sameContent(previous, next)
  );
}

/** Orders features by name (code unit order, as `Array.prototype.sort` on names). */
export function byName(a: Feature, b: Feature): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
