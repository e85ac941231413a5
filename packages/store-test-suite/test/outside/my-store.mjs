// A store as a contributor writes it outside the monorepo: only the public kit.
import { StoreUrlError } from '@rollout/core';
import { expectScheme, MemoryFeatureStore } from '@rollout/core/store';

/** An in-process store named `outside`, built on the kit's reference implementation. */
export class OutsideStore extends MemoryFeatureStore {
  /** `historyLimit` as every history store takes it (the suite's retention case sets it). */
  constructor(options = {}) {
    super({
      name: 'outside',
      ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
    });
  }
}

/** `outside:` opens an OutsideStore; any other scheme is refused. */
export function storeFromUrl(url) {
  if (!(url instanceof URL)) throw new StoreUrlError('[outside] expected a URL');
  expectScheme(url, 'outside', ['outside:']);
  return new OutsideStore();
}
