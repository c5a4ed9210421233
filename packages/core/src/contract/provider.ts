/**
 * Provider contract, specification version 2. Every provider (ours or a third party's)
 * is a plain object of this shape; hosts (the CLI, library users) drive it through
 * `runBackup` / `runRestore` / `runList` / `runCommand`, never by calling it directly,
 * so validation, progress, cancellation, the destination's lock, the integrity manifest,
 * the commit and the comment behave the same for all providers.
 *
 * Version 2 (core 2.0) changed from version 1: a backup gets a `target` opened and locked by
 * core to stage entries into (core seals and commits them when `backup()` returns, and stores
 * the comment in each one's integrity manifest), instead of a bare destination path; the
 * optional methods are the capabilities (no `capabilities` object); `aliases` and
 * `examples` are declared by the provider. The loader refuses a version 1 provider by name.
 */
import type { StandardSchemaV1 } from './standard-schema.js';
import type { OperationContext } from '../operation/context.js';
import type { BackupTarget, IndexMaintainer } from './target.js';

export const SPECIFICATION_VERSION = 2 as const;

/** A schema for a provider's options. Zod 4 schemas qualify (they implement Standard Schema). */
export type OptionsSchema<T = unknown> = StandardSchemaV1<unknown, T>;

/** What a provider can do: derived from the methods it has (see {@link providerCapabilities}), never declared. */
export interface ProviderCapabilities {
  backup: true;
  restore: boolean;
  list: boolean;
}

export interface BackupRequest<TOptions> {
  /**
   * The destination, opened and locked by core for this run. Stage each backup into it
   * (`target.stage(name, { kind })`, then `writeFile`); when `backup()` returns, core seals
   * (integrity manifest, with the comment) and commits every entry still staged, all at once.
   * When it throws or the run is cancelled, nothing staged is committed and core removes it.
   */
  target: BackupTarget;
  /** Absolute path of the target directory (the same as `target.path`), for messages. */
  destination: string;
  /** The user's comment. Core stores it in every backup's integrity manifest; a provider may also keep it in its own format. */
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
  /**
   * A table for the terminal, printed after `lines`: the host aligns its columns by display width (a CJK character
   * or an emoji takes two columns), which a provider padding its own lines cannot know.
   */
  table?: { columns: string[]; rows: string[][] };
}

/**
 * A provider. The optional methods are its capabilities: a provider restores when it has
 * `restore()`, lists when it has `list()`. Option metadata a host needs besides types (a
 * secret read from an environment variable, the option naming a file that holds it) is
 * declared on the schema's properties with {@link OptionMeta} (zod: `.meta(defineOptionMeta({...}))`).
 */
export interface BackupProvider<TBackupOptions = unknown, TRestoreOptions = unknown> {
  specificationVersion: typeof SPECIFICATION_VERSION;
  /** Short, stable, lower-case id used on the command line (`gpo`, `drm-licenses`). */
  id: string;
  /** Other names hosts accept for it (`drm` for `drm-licenses`); same form as `id`. */
  aliases?: string[];
  displayName: string;
  description: string;
  /** Command lines shown in help, per operation; each should run as shown. */
  examples?: { backup?: string[]; restore?: string[]; list?: string[] };
  /** Options of `backup` (and of `list`/commands that share them). */
  options: OptionsSchema<TBackupOptions>;
  /** Options of `restore`, when the provider can restore. */
  restoreOptions?: OptionsSchema<TRestoreOptions>;
  /**
   * A file at the destination's root that indexes its backups (GPMC's manifest.xml): core updates
   * it atomically with every commit, and replays the update after a crash.
   */
  backupIndex?: IndexMaintainer;
  backup(request: BackupRequest<TBackupOptions>, context: OperationContext): Promise<BackupOutput>;
  restore?(request: RestoreRequest<TRestoreOptions>, context: OperationContext): Promise<RestoreOutput>;
  list?(request: ListRequest, context: OperationContext): Promise<BackupListing[]>;
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  commands?: ProviderCommand<any>[];
}

/** What a provider can do, read from the methods it has. */
export function providerCapabilities(
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: Pick<BackupProvider<any, any>, 'restore' | 'list'>,
): ProviderCapabilities {
  return { backup: true, restore: typeof provider.restore === 'function', list: typeof provider.list === 'function' };
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
