export { AD_HRESULT, AdErrorCode, type AdErrorCodeValue } from './errors.js';
export { Secret, isSecret, toSecret } from './credentials/secret.js';
export {
  readCredentials,
  readPasswordFile,
  promptHidden,
  splitAccount,
  type Credentials,
  type ReadCredentialsOptions,
  type PromptInput,
} from './credentials/read-credentials.js';
export {
  connectLdap,
  LdapConnection,
  BINARY_ATTRIBUTES,
  type LdapConnectOptions,
  type LdapEntry,
  type LdapModification,
  type LdapSearchOptions,
  type RootDse,
} from './ldap/ldap-connection.js';
export { SdFlagsControl, SD_FLAGS_CONTROL_OID, SecurityInformation } from './ldap/sd-flags-control.js';
export { toLdapCofferError } from './ldap/ldap-errors.js';
export { escapeFilterValue, escapeFilterBytes, dnsNameFromDn } from './ldap/ldap-names.js';
// Reaching a domain from a provider's options: the shared option shape (the CLI's flags), the account, LDAP + domain facts.
export { adConnectionShape, type AdConnectionOptions } from './connection/connection-options.js';
export {
  credentialsFromOptions,
  PASSWORD_FILE_READABLE,
  type AccountOptions,
} from './connection/credentials-from-options.js';
export {
  connectDomain,
  readDomainFacts,
  type DomainConnection,
  type DomainConnectOptions,
  type DomainFacts,
} from './connection/connect-domain.js';
export {
  openDomainSession,
  type DomainSession,
  type DomainSessionContext,
  type DomainSessionOptions,
} from './connection/domain-session.js';
export {
  normalizeSysvolPath,
  joinSysvolPath,
  collectBytes,
  type SysvolSource,
  type SysvolEntry,
  type SysvolEntryKind,
  type SysvolTreeEntry,
  type SysvolWriteEntry,
} from './sysvol/sysvol-source.js';
export { createLocalSysvolSource, type LocalSysvolOptions } from './sysvol/local-sysvol.js';
export { createSmbclientSysvolSource, type SmbclientSysvolOptions } from './sysvol/smbclient-sysvol.js';
export { smbFailure, firstNtStatus } from './sysvol/smbclient-errors.js';
export {
  scratchFolderBeside,
  isScratchFolderOf,
  stageFolder,
  discardStagedFolder,
  swapInFolder,
  removeReplacedFolder,
  type StagedFolder,
} from './sysvol/folder-swap.js';
export { digestSysvolTree, digestBytes, plannedFolderChanges } from './sysvol/folder-plan.js';
export { matchGuidOrName, type GuidOrNameMatchable } from './select/match-guid-or-name.js';
export { selectByGuidOrName, type SelectByGuidOrNameOptions } from './select/select-by-guid-or-name.js';
export {
  selectBackups,
  type SelectableBackup,
  type BackupChoice,
  type SelectBackupsOptions,
} from './select/select-backups.js';
export * from './security/index.js';
// Backups on an SMB share (coffer backup --out //server/share/folder): publish under core's guarantees, read a consistent copy.
export { isSmbSharePath, parseSmbSharePath, type SmbShareLocation } from './share/share-path.js';
export { ShareErrorCode } from './share/share-errors.js';
export type { ShareAccount } from './share/share-client.js';
export {
  createShareFolder,
  openShareDestination,
  type PublishResult,
  type ShareDestination,
  type ShareDestinationOptions,
} from './share/share-destination.js';
export { downloadShareFolder, type ShareSnapshot, type ShareSnapshotOptions } from './share/share-snapshot.js';
