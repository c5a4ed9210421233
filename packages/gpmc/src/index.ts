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

export { renderBackupXml } from './write/backup-xml.js';
// Backup.xml's <SecurityDescriptor>: GPMC's DACL-only form and its hex spelling.
export { toGpmcDaclOnlyDescriptor, formatGpmcHex, parseGpmcHex } from './security/gpmc-descriptor.js';
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
export { backupInvalid } from './read/backup-invalid.js';
export { listBackupsOfType, type ListBackupsOfTypeOptions } from './read/list-backups.js';

// Microsoft Cabinet ([MS-CAB]), GPMC's "Save as cabinet" format for Starter GPOs.
export { buildCabinet, type CabinetFile, type CabinetOptions, type CabCompression } from './cab/cabinet-writer.js';
export { readCabinet, type CabinetEntry, type ReadCabinetOptions } from './cab/cabinet-reader.js';
// GPMC XML kept byte for byte (a Starter GPO's template): read through core's safe gate, rendered back unchanged.
export {
  parseLosslessXml,
  renderLosslessXml,
  setChildText,
  encodeXml,
  MALFORMED_XML,
  type LosslessXmlDocument,
  type XmlContentItem,
  type XmlChildElement,
  type XmlAttribute,
  type XmlEncoding,
} from './xml/lossless-xml.js';

// GPO settings: the model, its decoders and GPMC's <ExtensionData> rendering.
export * from './settings/model.js';
export {
  buildSettingsReport,
  EXTENSION_DISPLAY_NAMES,
  type SettingsReportOptions,
} from './settings/build-settings-report.js';
export { gptSourceFromBackup, gptSourceFromFiles, isSettingsFile, type GptSource } from './settings/gpt-source.js';
export { SETTINGS_FILE_MALFORMED, ADMX_MALFORMED } from './settings/errors.js';
export {
  decodeRegistryPol,
  encodeRegistryPol,
  registryTypeName,
  REG_NONE,
  REG_SZ,
  REG_EXPAND_SZ,
  REG_BINARY,
  REG_DWORD,
  REG_DWORD_BIG_ENDIAN,
  REG_LINK,
  REG_MULTI_SZ,
  REG_RESOURCE_LIST,
  REG_QWORD,
} from './settings/registry-pol.js';
export {
  buildAdmxCatalog,
  loadAdmxDirectory,
  type AdmxCatalog,
  type AdmxFilePair,
  type AdmxPolicy,
  type AdmxElement,
  type AdmxValue,
} from './settings/admx.js';
export { decodeSecurityTemplate } from './settings/security.js';
export { decodeAuditCsv } from './settings/audit.js';
export { decodeScriptsIni } from './settings/scripts.js';
export { decodeFdeployIni } from './settings/folder-redirection.js';
export {
  decodePreferenceFile,
  preferenceTypeOf,
  PREFERENCE_TYPES,
  type PreferenceType,
} from './settings/preferences.js';
export { parseIniSections, decodeIniText, type IniSection, type IniEntry } from './settings/ini.js';
export { reportNameOfSid } from './settings/principal-names.js';
export { renderGpreportSettingsXml, COFFER_OTHER_EXTENSION_NS } from './report/settings-xml.js';

// Backups read back, compared and rendered (coffer report / coffer diff).
export * from './diff/index.js';
export * from './change/index.js';
