import type { Command } from '../command.js';
import { addCommand } from './add.js';
import { explainCommand } from './explain.js';
import { exportCommand } from './export.js';
import { historyCommand } from './history.js';
import { importCommand } from './import.js';
import { importGemCommand } from './import-gem.js';
import { listCommand } from './list.js';
import { removeCommand } from './remove.js';
import { restoreCommand } from './restore.js';
import { serveCommand } from './serve.js';
import { setCommand } from './set.js';
import { setVariantsCommand } from './set-variants.js';
import { showCommand } from './show.js';
import { toggleCommands } from './toggles.js';
import { typegenCommand } from './typegen.js';
import { watchCommand } from './watch.js';

/** Every command, in the order `rollout --help` lists them. */
export const COMMANDS: readonly Command[] = [
  listCommand,
  showCommand,
  addCommand,
  removeCommand,
  ...toggleCommands,
  setCommand,
  setVariantsCommand,
  explainCommand,
  historyCommand,
  restoreCommand,
  watchCommand,
  serveCommand,
  exportCommand,
  importCommand,
  importGemCommand,
  typegenCommand,
];
