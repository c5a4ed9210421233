/**
 * A corpus of hostile GPMC-layout backup directories, built by the tests from a real backup directory (never
 * from files outside the repository). Each case copies a pristine directory (one written by Coffer, holding at
 * least two backups) and damages it the way an attacker with write access to the backup share would: links
 * out of the backup (to a root-only secret), `..`, absolute, drive and UNC paths in Backup.xml's inventory,
 * DOCTYPEs (entity expansion, external entities), files over Coffer's bounds (sparse, so nothing is written),
 * renamed, swapped, missing and extra folders and files, an edited manifest.xml, deleted integrity manifests,
 * a flipped byte with the manifest deleted, links at the top of the directory.
 *
 * The providers' tests run every case through verify, list, restore and import against the real DC and prove
 * the domain unchanged. Which codes each step must give is the provider test's business: a case only says what
 * it did, which backup it aimed at, and whether the restore is attempted with `--unverified` (cases that damage
 * the structure of a backup GPMC could have written: the reader must refuse them even when the user accepts an
 * unverified backup).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';

/** Where a case is built and what it can use. */
export interface HostileContext {
  /** The directory to damage (a fresh copy of the pristine one). */
  dir: string;
  /** Two backup folder names in it. */
  a: string;
  b: string;
  /** A folder outside the backup directory holding `id_rsa_secret` (mode 0600, root-only). */
  outside: string;
  /** The backup's SYSVOL copy, relative to a backup folder (`DomainSysvol/GPO`). */
  gptRoot: string;
  /** A file inside the SYSVOL copy of `a` (relative to gptRoot), e.g. `Machine/registry.pol`. */
  sampleFile: string;
}

export interface HostileCase {
  name: string;
  /** Damages ctx.dir; returns the backup id a restore should ask for (default ctx.a). */
  // biome-ignore lint/suspicious/noConfusingVoidType: most cases damage and return nothing; some name the id to ask for
  build(ctx: HostileContext): Promise<string | void>;
  /** Restore/import are also attempted with `--unverified` (the reader itself must refuse). */
  unverified?: boolean;
  /** Only for backups that hold a Backup.xml (GPO backups). */
  needsBackupXml?: boolean;
  /** The code restore and import must refuse with (without `--unverified`). */
  refusal: string;
  /** The code with `--unverified` (default: {@link refusal}). */
  refusalUnverified?: string;
  /** Damages only the directory around intact backups: verify reports it; restoring an intact backup is no attack. */
  directoryOnly?: boolean;
}

export const SECRET_NAME = 'id_rsa_secret';
export const SECRET_TEXT = '-----BEGIN OPENSSH PRIVATE KEY----- hostile-corpus secret, must never reach SYSVOL';

/** The XML of every entity-expansion case: nine levels of ten (10^9 "lol"s if a parser expanded it). */
export const BILLION_LAUGHS_DOCTYPE =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>';
export const EXTERNAL_ENTITY_DOCTYPE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/shadow">]>';

/** A file's text in its own encoding (UTF-16LE with BOM or UTF-8), changed by `edit`, written back the same way. */
async function editText(path: string, edit: (text: string) => string): Promise<void> {
  const bytes = await fse.readFile(path);
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
  const bom = !utf16 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = utf16 ? bytes.subarray(2).toString('utf16le') : bytes.subarray(bom ? 3 : 0).toString('utf8');
  const changed = edit(text);
  if (changed === text) throw new Error(`the hostile edit of ${path} changed nothing`);
  const body = utf16 ? Buffer.from(changed, 'utf16le') : Buffer.from(changed, 'utf8');
  await fse.writeFile(
    path,
    Buffer.concat([utf16 ? Buffer.from([0xff, 0xfe]) : bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), body]),
  );
}

/** Puts a DOCTYPE right after the XML declaration (or first), and an entity reference in place of `element`'s content. */
function withDoctype(text: string, doctype: string, element: string, reference: string): string {
  const declaration = /^\s*<\?xml[^>]*\?>/.exec(text);
  const at = declaration === null ? 0 : declaration[0].length;
  const replaced = text.replace(
    new RegExp(`(<(?:\\w+:)?${element}>)[\\s\\S]*?(</(?:\\w+:)?${element}>)`),
    `$1${reference}$2`,
  );
  return replaced.slice(0, at) + doctype + replaced.slice(at);
}

/** A backup folder GPMC could have written: every `coffer-*` file removed. */
async function stripCoffer(folder: string): Promise<void> {
  for (const name of await readdir(folder))
    if (name.toLowerCase().startsWith('coffer-')) await fse.remove(join(folder, name));
}

async function flipLastByte(path: string): Promise<void> {
  const bytes = await fse.readFile(path);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  await fse.writeFile(path, bytes);
}

/** A sparse file of `size` bytes: over any bound, yet nothing is written to disk. */
async function sparse(path: string, size: number): Promise<void> {
  await fse.ensureDir(join(path, '..'));
  const handle = await fse.open(path, 'w');
  await fse.ftruncate(handle, size);
  await fse.close(handle);
}

/** Adds an inventory entry with this Location to Backup.xml (in a Registry extension block of its own). */
async function listInBackupXml(folder: string, location: string): Promise<void> {
  const escaped = location.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const block = `<GroupPolicyExtension bkp:ID="{35378EAC-683F-11D2-A89A-00C04FBBCFA2}" bkp:DescName="Registry"><FSObjectFile bkp:Path="%GPO_MACH_FSPATH%\\${SECRET_NAME}" bkp:SourceExpandedPath="x" bkp:Location="${escaped}"/></GroupPolicyExtension>`;
  await editText(join(folder, 'Backup.xml'), (text) =>
    text.replace(/<\/(\w+:)?GroupPolicyObject>/, (close) => `${block}${close}`),
  );
}

const GIB = 1024 * 1024 * 1024;

/** Every hostile case. Restore is expected to refuse each; verify and list to report each with a code. */
export function hostileBackupCases(): HostileCase[] {
  return [
    {
      name: 'GPT folder is a symlink to a folder outside holding a root-only secret, listed in Backup.xml (GPMC-shaped)',
      refusal: 'BACKUP_UNVERIFIED',
      refusalUnverified: 'BACKUP_PATH_ESCAPES',
      needsBackupXml: true,
      unverified: true,
      async build(ctx) {
        const folder = join(ctx.dir, ctx.a);
        const gpt = join(folder, ...ctx.gptRoot.split('/'));
        const elsewhere = join(ctx.outside, 'GPO');
        await fse.copy(gpt, elsewhere);
        await fse.copy(join(ctx.outside, SECRET_NAME), join(elsewhere, 'Machine', SECRET_NAME));
        await fse.chmod(join(elsewhere, 'Machine', SECRET_NAME), 0o600);
        await fse.remove(gpt);
        await fse.symlink(elsewhere, gpt);
        await stripCoffer(folder);
        await listInBackupXml(folder, `DomainSysvol\\GPO\\Machine\\${SECRET_NAME}`);
      },
    },
    {
      name: 'GPT folder is a symlink out of a Coffer backup (manifest kept)',
      refusal: 'INTEGRITY_MISMATCH',
      async build(ctx) {
        const gpt = join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'));
        const elsewhere = join(ctx.outside, 'GPO-coffer');
        await fse.move(gpt, elsewhere);
        await fse.symlink(elsewhere, gpt);
      },
    },
    {
      name: 'a settings file is a symlink to a root-only secret (GPMC-shaped)',
      refusal: 'BACKUP_UNVERIFIED',
      refusalUnverified: 'BACKUP_PATH_ESCAPES',
      unverified: true,
      async build(ctx) {
        const folder = join(ctx.dir, ctx.a);
        const file = join(folder, ...ctx.gptRoot.split('/'), ...ctx.sampleFile.split('/'));
        await fse.remove(file);
        await fse.symlink(join(ctx.outside, SECRET_NAME), file);
        await stripCoffer(folder);
      },
    },
    {
      name: 'a settings file is a dangling symlink (Coffer backup)',
      refusal: 'INTEGRITY_MISMATCH',
      async build(ctx) {
        const file = join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), ...ctx.sampleFile.split('/'));
        await fse.remove(file);
        await fse.symlink(join(ctx.outside, 'no-such-file'), file);
      },
    },
    {
      name: 'bkupInfo.xml is a symlink to a file outside',
      refusal: 'BACKUP_PATH_ESCAPES',
      unverified: true,
      async build(ctx) {
        const folder = join(ctx.dir, ctx.a);
        await fse.move(join(folder, 'bkupInfo.xml'), join(ctx.outside, 'bkupInfo.xml'));
        await fse.symlink(join(ctx.outside, 'bkupInfo.xml'), join(folder, 'bkupInfo.xml'));
        await stripCoffer(folder);
      },
    },
    {
      name: 'the backup folder itself is a symlink to a copy outside the directory',
      refusal: 'INDEX_FOLDER_MISSING',
      unverified: true,
      async build(ctx) {
        const folder = join(ctx.dir, ctx.a);
        await fse.move(folder, join(ctx.outside, ctx.a));
        await fse.symlink(join(ctx.outside, ctx.a), folder);
      },
    },
    ...[
      ['..', `DomainSysvol\\GPO\\..\\..\\..\\..\\${SECRET_NAME}`],
      ['absolute', '/etc/shadow'],
      ['drive', 'C:\\Windows\\System32\\config\\SAM'],
      ['UNC', '\\\\attacker.example\\share\\payload.dll'],
      ['root-relative', '\\Windows\\win.ini'],
    ].map(
      ([kind, location]): HostileCase => ({
        name: `Backup.xml lists a ${kind} path (${location}) (GPMC-shaped)`,
        refusal: 'BACKUP_UNVERIFIED',
        refusalUnverified: 'BACKUP_PATH_INVALID',
        needsBackupXml: true,
        unverified: true,
        async build(ctx) {
          await stripCoffer(join(ctx.dir, ctx.a));
          await listInBackupXml(join(ctx.dir, ctx.a), location!);
        },
      }),
    ),
    {
      name: 'Backup.xml has a DOCTYPE with entity expansion (billion laughs) in the display name (GPMC-shaped)',
      refusal: 'BACKUP_UNVERIFIED',
      refusalUnverified: 'XML_DOCTYPE_REFUSED',
      needsBackupXml: true,
      unverified: true,
      async build(ctx) {
        await stripCoffer(join(ctx.dir, ctx.a));
        await editText(join(ctx.dir, ctx.a, 'Backup.xml'), (text) =>
          withDoctype(text, BILLION_LAUGHS_DOCTYPE, 'DisplayName', '&lol9;'),
        );
      },
    },
    {
      name: 'Backup.xml has a DOCTYPE in a Coffer backup (manifest kept)',
      refusal: 'INTEGRITY_MISMATCH',
      needsBackupXml: true,
      async build(ctx) {
        await editText(join(ctx.dir, ctx.a, 'Backup.xml'), (text) =>
          withDoctype(text, BILLION_LAUGHS_DOCTYPE, 'DisplayName', '&lol9;'),
        );
      },
    },
    {
      name: 'bkupInfo.xml has an external entity (file:///etc/shadow) as the display name (GPMC-shaped)',
      refusal: 'XML_DOCTYPE_REFUSED',
      unverified: true,
      async build(ctx) {
        await stripCoffer(join(ctx.dir, ctx.a));
        await editText(join(ctx.dir, ctx.a, 'bkupInfo.xml'), (text) =>
          withDoctype(text, EXTERNAL_ENTITY_DOCTYPE, 'GPODisplayName', '&xxe;'),
        );
      },
    },
    {
      name: 'manifest.xml has a DOCTYPE with entity expansion',
      refusal: 'XML_DOCTYPE_REFUSED',
      async build(ctx) {
        await editText(join(ctx.dir, 'manifest.xml'), (text) =>
          withDoctype(text, BILLION_LAUGHS_DOCTYPE, 'GPODisplayName', '&lol9;'),
        );
      },
    },
    {
      name: 'a 2 GiB (sparse) settings file in a backup without manifest (GPMC-shaped)',
      refusal: 'BACKUP_UNVERIFIED',
      refusalUnverified: 'BACKUP_FILE_TOO_LARGE',
      unverified: true,
      async build(ctx) {
        await stripCoffer(join(ctx.dir, ctx.a));
        await sparse(join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), ...ctx.sampleFile.split('/')), 2 * GIB);
      },
    },
    {
      name: 'a 2 GiB (sparse) settings file added to a Coffer backup',
      refusal: 'INTEGRITY_MISMATCH',
      async build(ctx) {
        await sparse(join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), 'Machine', 'huge.bin'), 2 * GIB);
      },
    },
    {
      name: 'a 64 MiB (sparse) bkupInfo.xml (GPMC-shaped)',
      refusal: 'BACKUP_FILE_TOO_LARGE',
      unverified: true,
      async build(ctx) {
        await stripCoffer(join(ctx.dir, ctx.a));
        await sparse(join(ctx.dir, ctx.a, 'bkupInfo.xml'), 64 * 1024 * 1024);
      },
    },
    {
      name: 'a backup folder renamed to another id',
      refusal: 'INDEX_FOLDER_MISSING',
      async build(ctx) {
        const renamed = `{${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(11)}1}`;
        await fse.move(join(ctx.dir, ctx.a), join(ctx.dir, renamed));
      },
    },
    {
      name: 'two backup folders swapped',
      refusal: 'BACKUP_FOLDER_MISMATCH',
      async build(ctx) {
        await fse.move(join(ctx.dir, ctx.a), join(ctx.dir, 'swap'));
        await fse.move(join(ctx.dir, ctx.b), join(ctx.dir, ctx.a));
        await fse.move(join(ctx.dir, 'swap'), join(ctx.dir, ctx.b));
      },
    },
    {
      name: 'a backup folder deleted (manifest.xml still lists it)',
      refusal: 'INDEX_FOLDER_MISSING',
      async build(ctx) {
        await fse.remove(join(ctx.dir, ctx.a));
      },
    },
    {
      name: 'an extra backup folder (a copy under a new id, not in manifest.xml)',
      refusal: 'BACKUP_FOLDER_MISMATCH',
      async build(ctx) {
        const extra = `{${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(11)}2}`;
        await fse.copy(join(ctx.dir, ctx.a), join(ctx.dir, extra));
        return extra;
      },
    },
    {
      name: 'an extra file in a Coffer backup',
      refusal: 'INTEGRITY_MISMATCH',
      async build(ctx) {
        await fse.outputFile(
          join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), 'Machine', 'Scripts', 'Startup', 'payload.cmd'),
          'net user attacker P@ss /add\r\n',
        );
      },
    },
    {
      name: 'a file missing from a Coffer backup',
      refusal: 'INTEGRITY_MISMATCH',
      async build(ctx) {
        await fse.remove(join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), ...ctx.sampleFile.split('/')));
      },
    },
    {
      name: 'manifest.xml edited: a flipped byte in a display name',
      refusal: 'INDEX_ENTRY_MISMATCH',
      async build(ctx) {
        await editText(join(ctx.dir, 'manifest.xml'), (text) =>
          text.replace(
            /(<GPODisplayName>(?:<!\[CDATA\[)?)(.)/,
            (_, head: string, first: string) => `${head}${String.fromCharCode(first.charCodeAt(0) ^ 0x01)}`,
          ),
        );
      },
    },
    {
      name: 'manifest.xml edited: an entry points at the other backup folder',
      refusal: 'INDEX_ENTRY_MISMATCH',
      async build(ctx) {
        const bare = (id: string) => id.replace(/[{}]/g, '');
        await editText(join(ctx.dir, 'manifest.xml'), (text) =>
          text.replace(new RegExp(bare(ctx.a), 'i'), bare(ctx.b)),
        );
        // The entry that now claims b's folder is what a restore of b finds first.
        return ctx.b;
      },
    },
    {
      name: 'the integrity manifest deleted (coffer-* extras kept)',
      refusal: 'MANIFEST_MISSING',
      async build(ctx) {
        await fse.remove(join(ctx.dir, ctx.a, 'coffer-manifest.json'));
      },
    },
    {
      name: 'a flipped byte in a settings file, and the integrity manifest deleted',
      refusal: 'MANIFEST_MISSING',
      async build(ctx) {
        await flipLastByte(join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), ...ctx.sampleFile.split('/')));
        await fse.remove(join(ctx.dir, ctx.a, 'coffer-manifest.json'));
      },
    },
    {
      name: 'a flipped byte in a settings file, and every coffer-* file deleted (looks like GPMC wrote it)',
      refusal: 'BACKUP_UNVERIFIED',
      async build(ctx) {
        await flipLastByte(join(ctx.dir, ctx.a, ...ctx.gptRoot.split('/'), ...ctx.sampleFile.split('/')));
        await stripCoffer(join(ctx.dir, ctx.a));
      },
    },
    {
      name: 'a stray file at the top of the directory',
      refusal: 'NONE',
      directoryOnly: true,
      async build(ctx) {
        await fse.outputFile(join(ctx.dir, 'readme.exe'), 'MZ');
      },
    },
    {
      name: 'a dangling symlink at the top of the directory',
      refusal: 'NONE',
      directoryOnly: true,
      async build(ctx) {
        await fse.symlink(
          join(ctx.outside, 'gone'),
          join(ctx.dir, `{${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(11)}3}`),
        );
      },
    },
  ];
}

/** A folder outside every backup holding the root-only secret the link cases point at. */
export async function writeOutsideSecret(outside: string): Promise<string> {
  const path = join(outside, SECRET_NAME);
  await fse.outputFile(path, SECRET_TEXT, { mode: 0o600 });
  await fse.chmod(path, 0o600);
  return path;
}
