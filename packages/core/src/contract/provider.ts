/**
 * Provider contract, specification version 1. Every provider (ours or a third party's)
 * is a plain object of this shape; hosts (the CLI, library users) drive it through
 * `runBackup` / `runRestore` / `runList` / `runCommand`, never by calling it directly,
 * so validation, progress, cancellation and results behave the same for all providers.
 */
import type { StandardSchemaV1 } from './standard-schema.js';
import type { OperationContext } from '../operation/context.js';

export const SPECIFICATION_VERSION = 1 as const;

/** A schema for a provider's options. Zod 4 schemas qualify (they implement Standard Schema). */
export type OptionsSchema<T = unknown> = StandardSchemaV1<unknown, T>;

export interface ProviderCapabilities {
  backup: true;
  restore?: boolean;
  list?: boolean;
}

export interface BackupRequest<TOptions> {
  /** Absolute path of the target directory. It exists: the host checked (ERROR_PATH_NOT_FOUND otherwise). */
  destination: string;
  comment?: string;
  options: TOptions;
}

export interface BackupRecord {
  /** The backup's own id (GPMC: the `{BACKUP-ID}` folder name). */
  id: string;
  /** Absolute path of the committed backup. */
  path: string;
  /** Kind of object backed up, e.g. `gpo`, `starter-gpo`, `license-set`. */
  kind: string;
  /** The object backed up (a GPO GUID, a store id). */
  objectId?: string;
  objectName?: string;
}

export interface BackupOutput {
  backups: BackupRecord[];
  /** Named counts, e.g. `{ gpos: 3, files: 41, bytes: 12345 }`. */
  counts: Record<string, number>;
}

export interface RestoreRequest<TOptions> {
  /** Absolute path of the backup directory to restore from. */
  source: string;
  options: TOptions;
}

export interface RestoredRecord {
  kind: string;
  objectId?: string;
  objectName?: string;
  /** Backup id the object was restored from. */
  fromBackupId?: string;
}

export interface RestoreOutput {
  restored: RestoredRecord[];
  counts: Record<string, number>;
}

export interface ListRequest {
  /** Absolute path of the directory to look in. */
  source: string;
  /** Case-insensitive match on object name or id; omitted: everything. */
  query?: string;
}

export interface BackupListing {
  id: string;
  path: string;
  kind: string;
  objectId?: string;
  objectName?: string;
  /** ISO 8601 UTC. */
  createdAt?: string;
  comment?: string;
  /** Provider-specific facts worth showing (domain, versions...). */
  details?: Record<string, string | number | boolean>;
}

/** A provider's own management verb (e.g. `coffer drm issue`). */
export interface ProviderCommand<TOptions = unknown> {
  name: string;
  description: string;
  options: OptionsSchema<TOptions>;
  /** Command lines shown in `--help`. */
  examples?: string[];
  run(options: TOptions, context: OperationContext): Promise<CommandOutput>;
}

export interface CommandOutput {
  /** Machine-readable result (printed as JSON with `--json`). */
  data?: unknown;
  /** Human-readable lines for the terminal. */
  lines?: string[];
}

export interface BackupProvider<TBackupOptions = unknown, TRestoreOptions = unknown> {
  specificationVersion: typeof SPECIFICATION_VERSION;
  /** Short, stable, lower-case id used on the command line (`gpo`, `drm-licenses`). */
  id: string;
  displayName: string;
  description: string;
  capabilities: ProviderCapabilities;
  /** Options of `backup` (and of `list`/commands that share them). */
  options: OptionsSchema<TBackupOptions>;
  /** Options of `restore`, when the provider can restore. */
  restoreOptions?: OptionsSchema<TRestoreOptions>;
  backup(request: BackupRequest<TBackupOptions>, context: OperationContext): Promise<BackupOutput>;
  restore?(request: RestoreRequest<TRestoreOptions>, context: OperationContext): Promise<RestoreOutput>;
  list?(request: ListRequest, context: OperationContext): Promise<BackupListing[]>;
  commands?: ProviderCommand<any>[];
}

/** Helper that keeps a provider's option types while checking it against the contract. */
export function defineProvider<TBackupOptions, TRestoreOptions = unknown>(
  provider: BackupProvider<TBackupOptions, TRestoreOptions>,
): BackupProvider<TBackupOptions, TRestoreOptions> {
  return provider;
}

export function defineCommand<TOptions>(command: ProviderCommand<TOptions>): ProviderCommand<TOptions> {
  return command;
}
