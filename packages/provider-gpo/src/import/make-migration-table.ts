import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CofferError, HRESULT, writeFileAtomic, type CommandOutput, type OperationContext } from '@coffer/core';
import type { GpoMigrationTableOptions } from '../options.js';
import { loadGpoBackup, type LoadedGpoBackup } from '../restore/load-backup.js';
import { selectBackups } from '../restore/select-backups.js';
import { migrationEntriesFrom } from './backup-references.js';
import { parseMigrationTable, renderMigrationTable } from './migration-table.js';

/**
 * GPMC's Migration Table Editor, "Populate from backup": a `.migtable` listing every domain principal and UNC path
 * the chosen backups reference, each mapped to itself (`<DestinationSameAsSource />`) for the admin to fill in.
 * Offline: only the backups are read (verified as import verifies them). The file is read back with the reader
 * import uses before it is written, and written whole (temp file, rename); an existing file is kept unless `force`.
 */
export async function makeMigrationTable(
  options: GpoMigrationTableOptions,
  context: OperationContext,
): Promise<CommandOutput> {
  const out = resolve(options.out);
  if (
    !options.force &&
    (await lstat(out).then(
      () => true,
      () => false,
    ))
  ) {
    throw new CofferError('FILE_EXISTS', `${out} exists already; nothing was written.`, {
      hresult: HRESULT.ERROR_FILE_EXISTS,
      object: out,
      hint: 'Choose another --out, or pass --force to replace it.',
    });
  }
  const chosen =
    options.backupId.length > 0
      ? (await Promise.all(options.backupId.map((id) => selectBackups(options.from, { backupId: id })))).flat()
      : await selectBackups(options.from, options.gpo === undefined ? { all: true } : { gpo: options.gpo });
  context.progress.phase('reading backups', chosen.length);
  const backups: LoadedGpoBackup[] = [];
  for (const entry of chosen) {
    context.throwIfCancelled();
    backups.push(await loadGpoBackup(entry.folder, context, { unverified: options.unverified }));
    context.progress.advance(entry.displayName);
  }
  const entries = await migrationEntriesFrom(backups);
  const bytes = renderMigrationTable(entries);
  // The table import reads is the table written: checked with the same reader before it reaches the disk.
  parseMigrationTable(bytes, out);
  context.throwIfCancelled();
  await writeFileAtomic(out, bytes);
  const principals = entries.filter((e) => e.type !== 'UNCPath');
  const uncPaths = entries.filter((e) => e.type === 'UNCPath');
  return {
    data: {
      path: out,
      backups: backups.map((b) => ({ id: b.backupId, gpo: b.xml.core.displayName, domain: b.xml.core.domain })),
      entries,
    },
    lines: [
      `Wrote ${out}: ${principals.length} principal(s) and ${uncPaths.length} UNC path(s) from ${backups.length} backup(s), each mapped to itself.`,
      ...entries.map((e) => `  ${e.type.padEnd(14)} ${e.source}`),
      'Fill in each <Destination> (or keep <DestinationSameAsSource />), then import with --migration-table.',
    ],
  };
}
