import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The AD half of one real GPMC backup, as Backup.xml records it. */
export interface CorpusBackup {
  /** Corpus folder, e.g. `nsa-emet`. */
  set: string;
  /** Backup folder (`{BACKUP-ID}`). */
  backupDir: string;
  /** `DomainSysvol/GPO`: becomes the seeded GPO's SYSVOL folder. */
  gptDir: string;
  gpoGuid: string;
  displayName: string;
  options: number;
  userVersionNumber: number;
  machineVersionNumber: number;
  machineExtensionGuids: string | null;
  userExtensionGuids: string | null;
}

/** `shared/corpus/gpmc-backups`, beside the repository (override with COFFER_SHARED_DIR). */
export function defaultCorpusDir(): string {
  if (process.env.COFFER_SHARED_DIR) return join(process.env.COFFER_SHARED_DIR, 'corpus', 'gpmc-backups');
  // Works from src/seed (vitest) and from dist (built): walk up to the packages folder's parent.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (dir.endsWith('/packages/samba-test-domain')) return resolve(dir, '..', '..', '..', 'shared', 'corpus', 'gpmc-backups');
    dir = dirname(dir);
  }
  return resolve(process.cwd(), '..', 'shared', 'corpus', 'gpmc-backups');
}

/** Text of `<tag>`: CDATA sections joined (a value holding `]]>` is split across two), or null when empty. */
export function readXmlText(xml: string, tag: string): string | null {
  const selfClosing = new RegExp(`<${tag}\\s*/>`);
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!match) {
    if (selfClosing.test(xml)) return null;
    return null;
  }
  const inner = match[1] ?? '';
  const cdata = [...inner.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1] ?? '');
  const text = cdata.length > 0 ? cdata.join('') : inner.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return text === '' ? null : text;
}

export async function readCorpusBackups(corpusDir: string): Promise<CorpusBackup[]> {
  let sets: string[];
  try {
    sets = (await readdir(corpusDir)).sort();
  } catch {
    throw new Error(`The GPMC backup corpus is missing at ${corpusDir}; the seed builds GPOs from it. Set COFFER_SHARED_DIR to the shared folder.`);
  }
  const backups: CorpusBackup[] = [];
  for (const set of sets) {
    const setDir = join(corpusDir, set);
    if (!(await stat(setDir)).isDirectory()) continue;
    for (const entry of (await readdir(setDir)).sort()) {
      if (!/^\{[0-9A-Fa-f-]{36}\}$/.test(entry)) continue;
      const backupDir = join(setDir, entry);
      const xml = await readFile(join(backupDir, 'Backup.xml'), 'utf8');
      const core = /<GroupPolicyCoreSettings>([\s\S]*?)<\/GroupPolicyCoreSettings>/.exec(xml)?.[1];
      if (!core) throw new Error(`${backupDir}/Backup.xml has no GroupPolicyCoreSettings.`);
      const number = (tag: string) => Number(readXmlText(core, tag) ?? '0');
      backups.push({
        set,
        backupDir,
        gptDir: join(backupDir, 'DomainSysvol', 'GPO'),
        gpoGuid: (readXmlText(core, 'ID') ?? '').toUpperCase(),
        displayName: readXmlText(core, 'DisplayName') ?? set,
        options: number('Options'),
        userVersionNumber: number('UserVersionNumber'),
        machineVersionNumber: number('MachineVersionNumber'),
        machineExtensionGuids: readXmlText(core, 'MachineExtensionGuids'),
        userExtensionGuids: readXmlText(core, 'UserExtensionGuids'),
      });
    }
  }
  return backups;
}

/** Backup.xml packs each side as (SYSVOL version << 16) | AD version. */
export function unpackSideVersion(packed: number): { sysvol: number; ad: number } {
  return { sysvol: (packed >>> 16) & 0xffff, ad: packed & 0xffff };
}
