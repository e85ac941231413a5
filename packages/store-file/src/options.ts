import { resolve } from 'node:path';
import { ValidationError } from '@rollout/core';
import { DEFAULT_HISTORY_LIMIT, positiveInteger, positiveNumber } from '@rollout/core/store';
import { historyPathFor } from './history.js';
import { lockPathFor } from './layout.js';

/** Options of {@link FileStore}. Everything but `path` is optional. */
export interface FileStoreOptions {
  /** The flags file (JSON). Relative paths are resolved against `process.cwd()` when the store is created. */
  path: string;
  /**
   * How often (ms) to check the file when `fs.watch` is unavailable or missed an
   * event, and how often clients poll `revision()` as a safety net. Default 1000.
   */
  pollInterval?: number;
  /** How long (ms) a write waits for the lock before failing with `StoreUnavailableError`. Default 15000. */
  lockTimeout?: number;
  /**
   * A lock older than this (ms) is broken even if its owner is alive (a hung or
   * remote writer). A lock whose owner process is gone (same host) is broken at
   * once. Default 10000.
   */
  staleLockTimeout?: number;
  /** Use `fs.watch` for push (default true); false: polling only. */
  watch?: boolean;
  /** Let `connect()` and writes create the file's directory (recursively). Default false. */
  createDirectory?: boolean;
  /**
   * History entries per feature that `history()` shows, from `<path>.history.json`
   * (JSON lines, one appended per write); older ones stay invisible and are dropped
   * when a write compacts the file. Default 1000.
   */
  historyLimit?: number;
}

/** {@link FileStoreOptions} checked, with defaults filled in and paths made absolute. */
export interface ResolvedOptions {
  /** Absolute path of the flags file. */
  readonly path: string;
  /** Absolute path of the lock file next to it. */
  readonly lockPath: string;
  /** Absolute path of the history sidecar. */
  readonly historyPath: string;
  readonly historyLimit: number;
  readonly pollInterval: number;
  readonly lockTimeout: number;
  readonly staleLockTimeout: number;
  readonly watch: boolean;
  readonly createDirectory: boolean;
}

/** Checks the options (ValidationError naming the field) and fills in the defaults. */
export function resolveOptions(options: FileStoreOptions): ResolvedOptions {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.path !== 'string' ||
    options.path === ''
  ) {
    throw new ValidationError('path', options?.path, 'FileStore needs { path: "flags.json" }');
  }
  const path = resolve(options.path);
  return {
    path,
    lockPath: lockPathFor(path),
    historyPath: historyPathFor(path),
    historyLimit: positiveInteger('historyLimit', options.historyLimit, DEFAULT_HISTORY_LIMIT),
    pollInterval: positiveNumber('pollInterval', options.pollInterval, 1000),
    lockTimeout: positiveNumber('lockTimeout', options.lockTimeout, 15_000),
    staleLockTimeout: positiveNumber('staleLockTimeout', options.staleLockTimeout, 10_000),
    watch: options.watch ?? true,
    createDirectory: options.createDirectory ?? false,
  };
}
