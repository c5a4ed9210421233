import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '@coffer/test-support';

export interface CorpusBackup {
  /** Folder name under gpmc-backups, e.g. `nsa-emet`. */
  set: string;
  backupId: string;
  /** Text of Backup.xml's <SecurityDescriptor>, exactly as GPMC wrote it. */
  descriptorHex: string;
  /** gpreport.xml's <SecurityDescriptor><SDDL>, decoded from UTF-16LE. */
  reportSddl: string;
  /** SIDs GPMC listed with bkp:Source="FromDACL", in file order. */
  fromDaclSids: string[];
}

function decodeReport(bytes: Buffer): string {
  // gpreport.xml is UTF-16LE with a BOM; fail loudly if a file is not.
  if (bytes[0] !== 0xff || bytes[1] !== 0xfe) throw new Error('gpreport.xml is expected to start with a UTF-16LE BOM');
  return bytes.subarray(2).toString('utf16le');
}

/** Every backup of the corpus, for the [corpus] tier (which only runs where the corpus is). */
export function loadCorpusBackups(): CorpusBackup[] {
  const root = corpusDir();
  const out: CorpusBackup[] = [];
  for (const set of readdirSync(root, { withFileTypes: true })) {
    if (!set.isDirectory() || set.name === 'LICENSES') continue;
    for (const backup of readdirSync(join(root, set.name), { withFileTypes: true })) {
      if (!backup.isDirectory() || !/^\{[0-9A-F-]+\}$/i.test(backup.name)) continue;
      const folder = join(root, set.name, backup.name);
      const backupXml = readFileSync(join(folder, 'Backup.xml'), 'utf8');
      const report = decodeReport(readFileSync(join(folder, 'gpreport.xml')));
      const hex = /<SecurityDescriptor>([^<]*)<\/SecurityDescriptor>/.exec(backupXml)?.[1];
      const sddl = /<SDDL[^>]*>([^<]*)<\/SDDL>/.exec(report)?.[1];
      if (hex === undefined || sddl === undefined) throw new Error(`${folder}: no SecurityDescriptor or SDDL found`);
      const fromDaclSids = [
        ...backupXml.matchAll(/<Group bkp:Source="FromDACL"><Sid><!\[CDATA\[([^\]]*)\]\]><\/Sid>/g),
      ].map((m) => m[1]!);
      out.push({ set: set.name, backupId: backup.name, descriptorHex: hex, reportSddl: sddl, fromDaclSids });
    }
  }
  return out;
}
