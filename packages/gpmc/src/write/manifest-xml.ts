import { NS_MANIFEST, type BackupInst } from '../model.js';
import { manifestIdsWithin } from '../read/parse-manifest.js';
import { decodeXmlBytes, malformed } from '../xml/element-tree.js';
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

function renderEntries(entries: readonly BackupInst[]): string {
  return entries.map((inst) => `<BackupInst>${renderBackupInstBody(inst)}</BackupInst>`).join('');
}

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

  if (existing === null || decodeXmlBytes(existing).trim() === '') {
    const head = `<Backups xmlns="${NS_MANIFEST}" xmlns:mfst="${NS_MANIFEST}" mfst:version="1.0">`;
    return Buffer.from(`${head}${renderEntries(unique)}</Backups>`, 'utf8');
  }

  const listed = new Set(manifestIdsWithin(existing, maxChars).map(guidKey));
  const toAdd = unique.filter((inst) => !listed.has(guidKey(inst.id)));
  if (toAdd.length === 0) return Buffer.from(existing);

  const utf16 = existing[0] === 0xff && existing[1] === 0xfe;
  const hadBom = utf16 || (existing[0] === 0xef && existing[1] === 0xbb && existing[2] === 0xbf);
  const text = decodeXmlBytes(existing);
  const entries = renderEntries(toAdd);

  let updated: string;
  const close = /<\/(?:[\w.-]+:)?Backups\s*>(?![\s\S]*<\/(?:[\w.-]+:)?Backups\s*>)/.exec(text);
  if (close !== null) {
    updated = text.slice(0, close.index) + entries + text.slice(close.index);
  } else {
    const selfClosing = /<((?:[\w.-]+:)?Backups)\b([^>]*?)\s*\/>/.exec(text);
    if (selfClosing === null) throw malformed('manifest.xml', 'no <Backups> element to add to');
    const [whole, tag, attributes] = selfClosing;
    updated = `${text.slice(0, selfClosing.index)}<${tag}${attributes}>${entries}</${tag}>${text.slice(selfClosing.index + whole.length)}`;
  }
  if (utf16) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(updated, 'utf16le')]);
  return Buffer.concat([hadBom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(updated, 'utf8')]);
}
