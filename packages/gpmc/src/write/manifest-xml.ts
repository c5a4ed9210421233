import { NS_MANIFEST, type BackupInst } from '../model.js';
import { backupIndexEncoding, scanBackupIndexBytes } from '@coffer/core';
import { checkManifestRoot, manifestScanOptions } from '../read/parse-manifest.js';
import { decodeXmlBytes } from '../xml/element-tree.js';
import { renderBackupInstBody } from './bkup-info-xml.js';

/** Compares backup IDs the way Windows compares GUIDs: braces optional, any case. */
export function sameGuid(a: string, b: string): boolean {
  return guidKey(a) === guidKey(b);
}

/** A GUID as {@link sameGuid} compares it (braces and surrounding space dropped, upper case): a map key. */
export function guidKey(value: string): string {
  return value
    .trim()
    .replace(/^\{|\}$/g, '')
    .toUpperCase();
}

function renderEntry(inst: BackupInst): string {
  return `<BackupInst>${renderBackupInstBody(inst)}</BackupInst>`;
}

function renderEntries(entries: readonly BackupInst[]): string {
  return entries.map(renderEntry).join('');
}

/**
 * `before`, the entries' bytes and `after` in one buffer. Each entry is rendered and encoded on its own, twice (once to
 * size the buffer, once to fill it), never as one string of them all: for 10,000 backups that string was 10 MB (20 as
 * UTF-16 once a name leaves Latin-1), built from 10,000 pieces held beside it, then copied to bytes, then copied again
 * around the old index; the commit's memory peak of a 10,000-GPO backup.
 */
function aroundEntries(
  before: Uint8Array,
  entries: readonly BackupInst[],
  after: Uint8Array,
  encode: (text: string) => Buffer,
): Buffer {
  let length = before.length + after.length;
  for (const inst of entries) length += encode(renderEntry(inst)).length;
  const out = Buffer.allocUnsafe(length);
  out.set(before, 0);
  let offset = before.length;
  for (const inst of entries) {
    const bytes = encode(renderEntry(inst));
    out.set(bytes, offset);
    offset += bytes.length;
  }
  out.set(after, offset);
  return out;
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * manifest.xml after adding backups to a folder. A new manifest is GPMC's single line (UTF-8, no
 * declaration, no final line break). An existing one keeps its bytes, whatever its line endings or
 * extra content; new entries go just before `</Backups>`. A backup whose ID is already listed is not
 * added again, so running the same backup twice changes nothing.
 */
export function renderManifestXml(existing: Buffer | null, added: readonly BackupInst[]): Buffer {
  return renderManifestWithin(existing, added, undefined);
}

/** {@link renderManifestXml} reading `existing` within `maxChars` (core's backupIndexByteLimit; see parseManifestWithin), building only the listed IDs. */
export function renderManifestWithin(
  existing: Buffer | null,
  added: readonly BackupInst[],
  maxChars: number | undefined,
): Buffer {
  // Sets of GUID keys, not pairwise comparisons: a directory of 70,000 backups would otherwise compare every
  // new entry with every listed one.
  const unique: BackupInst[] = [];
  const seen = new Set<string>();
  for (const inst of added) {
    const key = guidKey(inst.id);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(inst);
  }

  if (existing === null || isBlank(existing)) {
    const head = `<Backups xmlns="${NS_MANIFEST}" xmlns:mfst="${NS_MANIFEST}" mfst:version="1.0">`;
    return aroundEntries(utf8(head), unique, utf8('</Backups>'), utf8);
  }

  // The old index is read a piece at a time (core's streaming index reader: no tree and no string of the whole
  // document), keeping only the listed IDs and the text after its root's end tag. The new entries go just before that
  // tag: the old bytes are kept as they are, around the new entries' bytes.
  const listed = new Set<string>();
  const scanned = scanBackupIndexBytes(existing, 'manifest.xml', {
    ...manifestScanOptions(maxChars, (entry) => {
      if (entry.name === 'BackupInst')
        listed.add(guidKey(entry.fields.find((field) => field.name === 'ID')?.text ?? ''));
    }),
    keepAfterRoot: true,
  });
  checkManifestRoot(scanned.root);
  const toAdd = unique.filter((inst) => !listed.has(guidKey(inst.id)));
  if (toAdd.length === 0) return Buffer.from(existing);
  const encoding = backupIndexEncoding(existing);
  if (scanned.afterRoot !== undefined) {
    const after = encoding.encode(scanned.afterRoot);
    const at = existing.length - after.length;
    // The end tag's place in bytes, when the text after it is exactly the bytes at the end (it is unless those bytes
    // are not valid in the encoding, when the copy below writes the whole document as read).
    if (at >= encoding.bom.length && existing.subarray(at).equals(after))
      return aroundEntries(existing.subarray(0, at), toAdd, after, (text) => encoding.encode(text));
  }
  // A root that closes itself (`<Backups/>`, opened around the new entries), or undecodable bytes after the root.
  const pieces: Buffer[] = [encoding.bom];
  scanBackupIndexBytes(existing, 'manifest.xml', {
    ...manifestScanOptions(maxChars, undefined),
    copy: {
      write: (text) => {
        pieces.push(encoding.encode(text));
      },
      beforeRootEnd: () => renderEntries(toAdd),
    },
  });
  return Buffer.concat(pieces);
}

/** An index file holding nothing but white space (and a BOM): a new one is written. */
function isBlank(bytes: Buffer): boolean {
  return decodeXmlBytes(bytes.subarray(0, 4096)).trim() === '' && decodeXmlBytes(bytes).trim() === '';
}
