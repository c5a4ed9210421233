/**
 * manifest.xml (GPMC's index of a backup directory) without the backups a prune removes. The file keeps its
 * bytes otherwise — encoding, byte order mark, line endings, other content — as the GPMC index maintainer
 * keeps them when it adds entries: only the `<BackupInst>` elements of the removed backups are cut out.
 *
 * The index is read as it is copied (a serialiser would rewrite the whole file), by the streaming index reader, so
 * only real entries of the root are cut; the result is read again, and anything but exactly the old entries without
 * the removed ones, in the same order, is refused with PRUNE_INDEX_UNSUPPORTED rather than written.
 */
import { readdir } from 'node:fs/promises';
import { CofferError } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import { BACKUP_READ_LIMITS, backupIndexByteLimit, type BackupReader } from '../reading/backup-reader.js';
import { backupIndexEncoding, scanBackupIndexBytes, type BackupIndexCopy } from '../reading/backup-index-stream.js';
import { idKey } from '../engine/backup-id.js';

export const PRUNE_INDEX_UNSUPPORTED = 'PRUNE_INDEX_UNSUPPORTED';
export const PRUNE_INDEX_INVALID = 'PRUNE_INDEX_INVALID';

/**
 * A directory's index file (`name`) and the bound it was read within, or null when there is none. The bound grows
 * with the entries of the directory ({@link backupIndexByteLimit}): 70,000 backups legitimately list 36 MB.
 */
export async function readBackupIndex(
  reader: BackupReader,
  name: string,
): Promise<{ bytes: Buffer; maxChars: number } | null> {
  const maxChars = backupIndexByteLimit((await readdir(reader.folder)).length);
  const bytes = await reader.readOptional(name, { maxBytes: maxChars });
  return bytes === null ? null : { bytes, maxChars };
}

/** The backup ids manifest.xml lists, in order (refuses a file that is not a `<Backups>` index, or one over `maxChars`). */
export function backupIndexIds(bytes: Uint8Array, what: string, maxChars?: number): string[] {
  const ids: string[] = [];
  scanIndex(bytes, what, maxChars, (id) => {
    ids.push(id);
  });
  return ids;
}

/**
 * manifest.xml's bytes without the `<BackupInst>` entries whose ID is one of `ids` (the same bytes when none is
 * listed). The index is read a piece at a time and copied as it is read, without the removed entries: only entries of
 * the root are ever removed (one inside a comment or CDATA is no entry), and every other character is kept.
 */
export function removeFromBackupIndex(
  bytes: Uint8Array,
  ids: readonly string[],
  what: string,
  maxChars?: number,
): Buffer {
  // A set of id keys: pruning 40,000 of 70,000 backups compared every entry with every removed id (quadratic).
  const removedKeys = new Set(ids.map(idKey));
  const removed = (id: string) => removedKeys.has(idKey(id));
  const before = backupIndexIds(bytes, what, maxChars);
  if (!before.some(removed)) return Buffer.from(bytes);
  const encoding = backupIndexEncoding(bytes);
  const pieces: Buffer[] = [encoding.bom];
  scanIndex(bytes, what, maxChars, (id) => (removed(id) ? 'drop' : undefined), {
    write: (text) => {
      pieces.push(encoding.encode(text));
    },
  });
  const updated = Buffer.concat(pieces);
  // Read back: the entries left must be exactly the old ones without the removed ones, in the same order.
  const after = backupIndexIds(updated, what, maxChars);
  const expected = before.filter((id) => !removed(id));
  if (after.length !== expected.length || after.some((id, i) => id !== expected[i]))
    throw new CofferError(
      PRUNE_INDEX_UNSUPPORTED,
      `${what} is laid out in a way prune cannot edit safely (it would list ${after.length} backups instead of ${expected.length}); nothing was removed.`,
      {
        hresult: HRESULT.ERROR_INVALID_DATA,
        object: what,
        hint: 'Check the file by hand, or rebuild it with a backup into a fresh directory.',
      },
    );
  return updated;
}

/** Reads the index a piece at a time: `onId` gets each entry's ID (and may drop it from `copy`). */
function scanIndex(
  bytes: Uint8Array,
  what: string,
  maxChars: number | undefined,
  onId: (id: string) => unknown,
  copy?: BackupIndexCopy,
): void {
  const scanned = scanBackupIndexBytes(bytes, what, {
    maxChars: maxChars ?? BACKUP_READ_LIMITS.maxXmlBytes,
    malformedCode: PRUNE_INDEX_INVALID,
    hint: 'manifest.xml is damaged: prune edits it and will not guess. Check it with coffer verify.',
    onEntry: (entry) => {
      if (entry.name !== 'BackupInst') return undefined;
      return onId((entry.fields.find((field) => field.name === 'ID')?.text ?? '').trim());
    },
    ...(copy === undefined ? {} : { copy }),
  });
  if (scanned.root.name !== 'Backups')
    throw new CofferError(PRUNE_INDEX_INVALID, `${what} is no backup index: its root is <${scanned.root.name}>.`, {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: what,
    });
}
