// The public API. Engine classes (BackupDestination, StagedEntry) are not exported: a provider
// writes through request.target (see contract/target.ts), which core opens, seals and commits.
export * from './errors/index.js';
export * from './contract/provider.js';
export type {
  BackupTarget,
  BackupEntry,
  FileContent,
  StageOptions,
  CommittedEntry,
  IndexMaintainer,
} from './contract/target.js';
export { defineOptionMeta, optionMetaOf, type OptionMeta } from './contract/option-meta.js';
export type { StandardSchemaV1, StandardJSONSchemaV1 } from './contract/standard-schema.js';
export { describeOptions, validateOptions, type OptionsJsonSchema } from './contract/options.js';
export * from './operation/progress.js';
export * from './operation/messages.js';
export * from './operation/context.js';
export * from './operation/result.js';
export { runBackup, runRestore, runList, runCommand } from './operation/run.js';
export type { RunOptions, RunBackupOptions, RunRestoreOptions, RunListOptions } from './operation/run.js';
export * from './engine/integrity-manifest.js';
export { ENGINE_PREFIX, listCommittedEntries, type CommittedListing } from './engine/committed-view.js';
export * from './engine/verify.js';
export * from './reading/backup-reader.js';
export * from './reading/backup-trust.js';
export * from './reading/safe-xml.js';
export { lockDirectory, LOCK_NAME, type DirectoryLock, type LockOptions } from './engine/lock.js';
export { writeFileAtomic, fsyncDirectory } from './engine/durable-fs.js';
export { childEnvironment, isWithheldFromChildren } from './process/child-environment.js';
export * from './loader/load-provider.js';
