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
export { eventLoopTurns } from './operation/event-loop-turns.js';
export { runBackup, runRestore, runList, runCommand } from './operation/run.js';
export type { RunOptions, RunBackupOptions, RunRestoreOptions, RunListOptions } from './operation/run.js';
export * from './engine/integrity-manifest.js';
export { ENGINE_PREFIX, listCommittedEntries, type CommittedListing } from './engine/committed-view.js';
export * from './engine/verify.js';
export * from './reading/backup-reader.js';
export * from './reading/backup-trust.js';
export * from './reading/safe-xml.js';
export { lockDirectory, LOCK_NAME, type DirectoryLock, type LockOptions } from './engine/lock.js';
// For locks kept where lockDirectory cannot go (an SMB share): the same owner record and the same 'is it gone' rule.
export { currentOwner as currentLockOwner, isGone as isLockOwnerGone, type LockOwner } from './engine/lock.js';
export { writeFileAtomic, fsyncDirectory } from './engine/durable-fs.js';
export {
  pruneDirectory,
  OBJECT_METADATA_KEYS,
  PRUNE_BACKUP_INVALID,
  PRUNE_COMMIT_PENDING,
  type PruneOptions,
  type PruneResult,
  type PruneBackup,
  type PruneSkipped,
} from './retention/prune.js';
export {
  applyRetentionPolicy,
  checkRetentionPolicy,
  parseRetentionDuration,
  type RetentionPolicy,
  type RetentionRule,
  type RetentionDuration,
  type RetentionCandidate,
  type RetentionDecision,
  type KeepReason,
} from './retention/policy.js';
export { PRUNE_JOURNAL_INVALID } from './retention/prune-commit.js';
export { PRUNE_INDEX_INVALID, PRUNE_INDEX_UNSUPPORTED } from './retention/backup-index.js';
export { childEnvironment, isWithheldFromChildren } from './process/child-environment.js';
export * from './loader/load-provider.js';
