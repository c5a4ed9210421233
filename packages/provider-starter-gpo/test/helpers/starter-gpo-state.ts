/**
 * The test DC's StarterGPOs folder, saved from its disk and put back after tests that change it (restore over an
 * existing Starter GPO raises its versions, which the backup tests compare against the seed). Independent of the
 * code under test: plain file-system reads and writes plus samba-tool for the folder ACLs.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { TestDomainInfo } from '@coffer/samba-test-domain';
import { aclOnDisk, folderOnDisk, testDomain } from './real-dc.js';

const run = promisify(execFile);

export interface SavedFolder {
  name: string;
  files: Map<string, Buffer>;
  dirs: string[];
  acl: string;
}

export interface SavedStarterGpos {
  root: string;
  rootAcl: string;
  folders: SavedFolder[];
}

export function starterGposRoot(dc: TestDomainInfo = testDomain()): string {
  return join(dc.sysvolPath, dc.dnsDomain, 'StarterGPOs');
}

export async function saveStarterGpos(dc: TestDomainInfo = testDomain()): Promise<SavedStarterGpos> {
  const root = starterGposRoot(dc);
  const folders: SavedFolder[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(root, entry.name);
    const { files, dirs } = await folderOnDisk(folder);
    folders.push({ name: entry.name, files, dirs, acl: await aclOnDisk(folder, dc) });
  }
  return { root, rootAcl: await aclOnDisk(root, dc), folders };
}

async function setAcl(path: string, sddl: string, dc: TestDomainInfo): Promise<void> {
  await run('samba-tool', ['ntacl', 'set', '-s', dc.smbConfPath, sddl, path]);
}

/** Makes StarterGPOs exactly what was saved (files, folders, folder ACLs), removing anything added since. */
export async function putBackStarterGpos(saved: SavedStarterGpos, dc: TestDomainInfo = testDomain()): Promise<void> {
  const rootExists = (await stat(saved.root).catch(() => undefined))?.isDirectory() === true;
  if (!rootExists) {
    await mkdir(saved.root, { recursive: true });
    await setAcl(saved.root, saved.rootAcl, dc);
  }
  for (const entry of await readdir(saved.root)) await rm(join(saved.root, entry), { recursive: true, force: true });
  for (const folder of saved.folders) {
    const base = join(saved.root, folder.name);
    await mkdir(base, { recursive: true });
    await setAcl(base, folder.acl, dc);
    for (const dir of folder.dirs) await mkdir(join(base, ...dir.split('/')), { recursive: true });
    for (const [path, bytes] of folder.files) {
      await mkdir(dirname(join(base, ...path.split('/'))), { recursive: true });
      await writeFile(join(base, ...path.split('/')), bytes);
    }
  }
}

/** Names in StarterGPOs now (to prove nothing was added, e.g. no staging folder left). */
export async function starterGposNames(dc: TestDomainInfo = testDomain()): Promise<string[]> {
  return (await readdir(starterGposRoot(dc))).sort();
}

/** Whether the files, folders or folder names of StarterGPOs differ from what was saved (ACLs not compared). */
export async function starterGposChanged(saved: SavedStarterGpos): Promise<boolean> {
  const names = await readdir(saved.root).catch(() => null);
  if (
    names === null ||
    names.sort().join('\n') !==
      saved.folders
        .map((f) => f.name)
        .sort()
        .join('\n')
  )
    return true;
  for (const folder of saved.folders) {
    const now = await folderOnDisk(join(saved.root, folder.name));
    if (now.dirs.join('\n') !== folder.dirs.join('\n') || now.files.size !== folder.files.size) return true;
    for (const [path, bytes] of folder.files) if (!now.files.get(path)?.equals(bytes)) return true;
  }
  return false;
}
