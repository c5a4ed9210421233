import { starterGpoProvider } from './provider.js';

export default starterGpoProvider;
export { starterGpoProvider, saveCabCommand, loadCabCommand, PROVIDER_ID } from './provider.js';
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

export type { StarterGpoEntry, StarterGpoSummary, StarterGpoSnapshot, FolderAcl } from './model/starter-gpo.js';
export {
  parseStarterGpoTemplate,
  renderStarterGpoTemplate,
  withTemplateField,
  parseStarterGpoType,
  parseTemplateTime,
  StarterGpoType,
  TEMPLATE_FILE_NAME,
  LOCALIZED_TEMPLATE_FILE_NAME,
  TEMPLATE_FIELD_NAMES,
  type StarterGpoTemplate,
  type StarterGpoTypeName,
  type TemplateField,
} from './template/starter-gpo-template.js';
export { parseLocalizedTemplate, resolveLocalized, type LocalizedTemplate } from './template/localized-template.js';

export {
  readStarterGpoCatalog,
  readFolderAcl,
  STARTER_GPOS_FOLDER,
  type StarterGpoCatalog,
  type StarterGpoFolder,
  type StarterGpoSysvol,
} from './sysvol/read-starter-gpos.js';
export { openDomain, type OpenedDomain } from './ad/domain-session.js';
export { selectStarterGpos, type SelectableStarterGpo } from './select/select-starter-gpos.js';

export {
  writeStarterGpoBackups,
  starterGpoBackupInst,
  newBackupId,
  type StarterGpoBackupSource,
  type WriteBackupsRequest,
  type WriteBackupsResult,
} from './backup/write-starter-gpo-backups.js';
export {
  SYSVOL_COPY_FOLDER,
  BKUPINFO_FILE,
  STARTER_GPO_EXTRAS_FILE,
  BACKUP_TYPE_ELEMENT,
  BACKUP_TYPE_STARTER_GPO,
  STARTER_GPO_KIND,
  backupPathOf,
} from './backup/layout.js';
export {
  buildStarterGpoExtras,
  renderStarterGpoExtras,
  parseStarterGpoExtras,
  STARTER_GPO_EXTRAS_FORMAT,
  type StarterGpoExtras,
} from './backup/starter-gpo-extras.js';
export { listStarterGpoBackups } from './list/list-starter-gpo-backups.js';

export { cabinetNameOf, planCabinetNames, CAB_TEMPLATE_NAME, CAB_REPORT_NAME } from './cab/cabinet-names.js';
export {
  saveStarterGpoCab,
  starterGpoCabinetFiles,
  checkCabinetTarget,
  type SaveCabResult,
} from './cab/save-starter-gpo-cab.js';

export {
  layOutStarterGpoCabinet,
  starterGpoPathOf,
  readCabPathMap,
  type StarterGpoCabinetLayout,
} from './cab/cabinet-paths.js';
export { CAB_PATH_MAP_ID, CAB_PATH_MAP_FORMAT, type CabPathMap } from './cab/starter-gpo-report.js';
export { loadStarterGpoCab, readStarterGpoCab, type LoadCabResult } from './cab/load-starter-gpo-cab.js';

export { restoreStarterGpos } from './restore/restore-starter-gpos.js';
export { selectStarterGpoBackups, type StarterGpoBackupChoice } from './restore/select-starter-gpo-backups.js';
export { loadStarterGpoBackup, type LoadedStarterGpoBackup } from './restore/load-starter-gpo-backup.js';
export {
  writeStarterGpoFolder,
  type StarterGpoContent,
  type AclPlan,
  type WriteStarterGpoFolderRequest,
  type WriteStarterGpoFolderResult,
} from './write/starter-gpo-folder-writer.js';
export {
  bumpTemplateVersions,
  formatTemplateTime,
  type BumpedTemplate,
  type TemplateVersions,
} from './template/bump-template-versions.js';
