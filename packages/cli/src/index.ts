/**
 * @rollout/cli: the `rollout` command line (binary `rollout`), and its building
 * blocks for scripts: `main()`, the export format, and the Ruby gem reader.
 */
export { CliError } from './cli-error.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export {
  EXPORT_FORMAT,
  type ExportDocument,
  type ExportedFeature,
  parseExportDocument,
  toExportDocument,
} from './export-format.js';
export {
  type ConvertedGemFeature,
  convertGemRecord,
  type GemRecord,
  parseGemRecord,
  rubyToF,
} from './gem-record.js';
export { type GemData, readGemData } from './gem-redis.js';
export { type MainOptions, main } from './main.js';
