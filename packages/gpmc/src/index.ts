export * from './model.js';
export * from './versions.js';
export { parseExtensionNames, listsClientSideExtension, type ExtensionNameGroup } from './extension-names.js';
export { cdata } from './xml/escape.js';
export { MALFORMED_GPMC_FILE } from './xml/element-tree.js';

export type { FsObject, ExtensionBlock } from './inventory/fs-object.js';
export { GptPathBuilder } from './inventory/fs-object.js';
export { buildGptTree, compareNamesLikeNtfs, type GptNode } from './inventory/gpt-tree.js';
export { buildExtensionInventory, type ExtensionInventory } from './inventory/extension-inventory.js';
export { KNOWN_EXTENSIONS, slotCount, type KnownExtension } from './inventory/known-extensions.js';

export { orderLikeGpmc } from './principals/gpmc-order.js';
export { daclTrusteeSids, daclPrincipalSidsInGpmcOrder } from './principals/dacl-sids.js';
export {
  decodeInfText,
  templatePrincipalReferences,
  templatePrincipalsInGpmcOrder,
  type TemplatePrincipal,
} from './principals/gpt-tmpl-principals.js';
export {
  buildSecurityGroups,
  settingsPrincipal,
  type AccountResolver,
  type ResolvedAccount,
  type SecurityGroupsInput,
} from './principals/security-groups.js';

export { renderBackupXml, formatSecurityDescriptorHex } from './write/backup-xml.js';
export { renderBkupInfoXml, renderBkupInfoXmlForInst } from './write/bkup-info-xml.js';
export { renderManifestXml, sameGuid } from './write/manifest-xml.js';
export {
  renderGpReportXml,
  type ReportFacts,
  type ReportLink,
  type ReportPrincipal,
  type ReportTrusteePermission,
} from './write/gpreport-xml.js';

export {
  parseBackupXml,
  parseSecurityDescriptorHex,
  parseWmiFilterReference,
  type BackupCoreSettings,
  type ParsedBackupXml,
} from './read/parse-backup-xml.js';
export { parseBkupInfoXml, parseManifestXml, type ParsedManifest } from './read/parse-manifest.js';
export { parseGpReportXml, type ParsedGpReport, type ReportSide } from './read/parse-gpreport.js';
export {
  readGpmcBackupDirectory,
  searchBackups,
  detectBackupType,
  type GpmcBackupEntry,
  type SearchBackupsOptions,
} from './read/backup-directory.js';
export { gpmcManifestIndex, GPMC_MANIFEST_FILE } from './write/manifest-index.js';
