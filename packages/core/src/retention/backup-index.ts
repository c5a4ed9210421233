/**
 * manifest.xml (GPMC's index of a backup directory) without the backups a prune removes. The file keeps its
 * bytes otherwise — encoding, byte order mark, line endings, other content — as the GPMC index maintainer
 * keeps them when it adds entries: only the `<BackupInst>` elements of the removed backups are cut out.
 *
 * The cut is made on the text (a serialiser would rewrite the whole file), so the result is checked by parsing
 * it again: the root is still `<Backups>`, and the entries left are exactly the old ones without the removed
 * ones, in the same order. Anything else (an entry inside a comment or CDATA, a hand-edited layout the cut
 * does not understand) is refused with PRUNE_INDEX_UNSUPPORTED rather than written.
 */
import { readdir } from 'node:fs/promises';
import { CofferError } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import { backupIndexByteLimit, type BackupReader } from '../reading/backup-reader.js';
import { decodeXmlBytes, parseXmlDocument, xmlChildText, type XmlElement } from '../reading/safe-xml.js';
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
  return entriesOf(parseIndex(bytes, what, maxChars)).map((inst) => xmlChildText(inst, 'ID').trim());
}

/** manifest.xml's bytes without the `<BackupInst>` entries whose ID is one of `ids` (the same bytes when none is listed). */
export function removeFromBackupIndex(
  bytes: Uint8Array,
  ids: readonly string[],
  what: string,
  maxChars?: number,
): Buffer {
  const before = backupIndexIds(bytes, what, maxChars);
  // A set of id keys: pruning 40,000 of 70,000 backups compared every entry with every removed id (quadratic).
  const removedKeys = new Set(ids.map(idKey));
  const removed = (id: string) => removedKeys.has(idKey(id));
  if (!before.some(removed)) return Buffer.from(bytes);
  const text = decodeXmlBytes(bytes);
  // An element with an optional prefix, closed by the same prefix; its ID decides whether it goes.
  const element = /<((?:[\w.-]+:)?)BackupInst\b[^>]*?(?:\/>|>[\s\S]*?<\/\1BackupInst\s*>)/g;
  const updated = text.replace(element, (whole) => {
    let id: string;
    try {
      id = xmlChildText(parseXmlDocument(whole, what), 'ID').trim();
    } catch {
      return whole; // not an element on its own (inside a comment?): left as it is, and the check below decides
    }
    return removed(id) ? '' : whole;
  });
  const after = backupIndexIds(Buffer.from(updated, 'utf8'), what, maxChars);
  const expected = before.filter((id) => !removed(id));
  if (after.length !== expected.length || after.some((id, i) => id !== expected[i]))
    throw new CofferError(
      PRUNE_INDEX_UNSUPPORTED,
      `${what} is laid out in a way prune cannot edit safely (it would list ${after.length} backups instead of ${expected.length}); nothing was removed.`,
      {
        hresult: HRESULT.ERROR_INVALID_DATA,
        object: what,
        hint: 'Check the file by hand (an entry inside a comment or CDATA?), or rebuild it with a backup into a fresh directory.',
      },
    );
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (utf16) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(updated, 'utf16le')]);
  const utf16be = bytes[0] === 0xfe && bytes[1] === 0xff;
  if (utf16be) {
    const body = Buffer.from(updated, 'utf16le');
    body.swap16();
    return Buffer.concat([Buffer.from([0xfe, 0xff]), body]);
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(updated, 'utf8')]);
}

function parseIndex(bytes: Uint8Array, what: string, maxChars?: number): XmlElement {
  const root = parseXmlDocument(bytes, what, {
    ...(maxChars === undefined ? {} : { maxChars }),
    malformedCode: PRUNE_INDEX_INVALID,
    hint: 'manifest.xml is damaged: prune edits it and will not guess. Check it with coffer verify.',
  });
  if (root.name !== 'Backups')
    throw new CofferError(PRUNE_INDEX_INVALID, `${what} is no backup index: its root is <${root.name}>.`, {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: what,
    });
  return root;
}

function entriesOf(root: XmlElement): XmlElement[] {
  return root.children.filter((child) => child.name === 'BackupInst');
}
