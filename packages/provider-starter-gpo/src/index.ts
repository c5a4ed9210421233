/**
 * The public API: the provider (hosts run it through core's runBackup/runRestore/runList/runCommand), its option
 * schemas and the data its commands return. Everything else (SYSVOL reading, the template codec, the backup layout,
 * the restore's selector and folder swap) is internal: tests import it from src.
 */
import { starterGpoProvider } from './provider.js';

export default starterGpoProvider;
export { starterGpoProvider };
export {
  backupOptionsSchema,
  saveCabOptionsSchema,
  restoreOptionsSchema,
  loadCabOptionsSchema,
  connectionOptionsSchema,
  type StarterGpoBackupOptions,
  type SaveCabOptions,
  type StarterGpoRestoreOptions,
  type LoadCabOptions,
  type StarterGpoConnectionOptions,
} from './options.js';
export type { SaveCabResult } from './cab/save-starter-gpo-cab.js';
export type { LoadCabResult } from './cab/load-starter-gpo-cab.js';
