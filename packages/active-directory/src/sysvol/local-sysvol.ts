import { createReadStream } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CofferError, HRESULT, invalidArgument, toCofferError } from '@coffer/core';
import { AdErrorCode } from '../errors.js';
import { runTool } from './run-tool.js';
import { wholeSeconds } from './gpt-listing.js';
import {
  normalizeSysvolPath,
  sysvolPathNotFound,
  sysvolRenameRefused,
  type SysvolEntry,
  type SysvolSource,
  type SysvolTreeEntry,
  type SysvolWriteEntry,
} from './sysvol-source.js';

export interface LocalSysvolOptions {
  /** The folder shared as SYSVOL (Samba: `<state dir>/sysvol`, e.g. /var/lib/samba/sysvol). */
  root: string;
  /** smb.conf of the DC owning the folder, for `samba-tool ntacl` (ACLs). Default: Samba's default. */
  smbConfPath?: string;
}

/** SYSVOL on a local or mounted path (on the DC itself, or a mount of the share). ACLs through `samba-tool ntacl`. */
export function createLocalSysvolSource(options: LocalSysvolOptions): SysvolSource {
  const root = options.root;
  const location = root;
  const full = (path: string) => join(root, normalizeSysvolPath(path));
  const confArgs = options.smbConfPath ? ['-s', options.smbConfPath] : [];

  async function* walk(path: string, withContent: boolean, only?: readonly string[]): AsyncGenerator<SysvolTreeEntry> {
    // SMB names match without case: `only` does here too, as over smbclient.
    const named = only === undefined ? null : new Set(only.map((name) => name.toLowerCase()));
    const base = full(path);
    try {
      const info = await stat(base);
      if (!info.isDirectory())
        throw new CofferError(AdErrorCode.PathNotFound, `${path} is a file, not a folder.`, {
          hresult: HRESULT.ERROR_DIRECTORY,
          object: path,
        });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw sysvolPathNotFound(path, location, error);
      throw toCofferError(error, path);
    }
    async function* inner(dir: string, prefix: string): AsyncGenerator<SysvolTreeEntry> {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      for (const entry of entries) {
        if (prefix === '' && named !== null && !named.has(entry.name.toLowerCase())) continue;
        const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        const abs = join(dir, entry.name);
        if (entry.isDirectory()) {
          const mtime = wholeSeconds((await stat(abs)).mtimeMs);
          yield { path: rel, kind: 'directory', size: 0, mtime, content: null };
          yield* inner(abs, rel);
        } else if (entry.isFile()) {
          const info = await stat(abs);
          const mtime = wholeSeconds(info.mtimeMs);
          yield {
            path: rel,
            kind: 'file',
            size: info.size,
            mtime,
            content: withContent ? createReadStream(abs) : null,
          };
        }
      }
    }
    yield* inner(base, '');
  }

  return {
    location,
    async exists(path) {
      try {
        await access(full(path));
        return true;
      } catch {
        return false;
      }
    },
    async *listTree(path): AsyncGenerator<SysvolEntry> {
      for await (const { path: p, kind, size } of walk(path, false)) yield { path: p, kind, size };
    },
    async statTree(path) {
      const entries: SysvolEntry[] = [];
      for await (const { path: p, kind, size, mtime } of walk(path, false))
        entries.push({ path: p, kind, size, ...(mtime === undefined ? {} : { mtime }) });
      return entries;
    },
    readTree(path, readOptions = {}) {
      return walk(path, true, readOptions.only);
    },
    async readFile(path) {
      try {
        return await readFile(full(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw sysvolPathNotFound(path, location, error);
        throw toCofferError(error, path);
      }
    },
    async readFiles(paths) {
      const found = new Map<string, Buffer>();
      for (const path of paths) {
        // Windows names cannot hold them, and over SMB they would be patterns: refused alike on both sources.
        if (/[*?]/.test(path)) throw invalidArgument(`SYSVOL path ${path} contains a wildcard.`, { object: path });
        try {
          found.set(path, await readFile(full(path)));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw toCofferError(error, path);
        }
      }
      return found;
    },
    async readAcl(path) {
      if (!(await this.exists(path))) throw sysvolPathNotFound(path, location);
      const { stdout } = await runTool('samba-tool', ['ntacl', 'get', '--as-sddl', ...confArgs, full(path)], {
        object: path,
      });
      return stdout.trim();
    },
    async writeTree(path, entries) {
      const base = full(path);
      await mkdir(base, { recursive: true });
      for await (const entry of entries as AsyncIterable<SysvolWriteEntry>) {
        const target = join(base, normalizeSysvolPath(entry.path));
        if (entry.kind === 'directory') {
          await mkdir(target, { recursive: true });
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        const content = entry.content ?? new Uint8Array();
        if (content instanceof Uint8Array) await writeFile(target, content);
        else await pipeline(Readable.from(content), createWriteStream(target));
      }
    },
    async removeTree(path, removeOptions = {}) {
      if (!(await this.exists(path))) {
        if (removeOptions.missingOk) return;
        throw sysvolPathNotFound(path, location);
      }
      await rm(full(path), { recursive: true, force: true });
    },
    async writeAcl(path, sddl) {
      if (!(await this.exists(path))) throw sysvolPathNotFound(path, location);
      // samba-tool stores the ACEs in the order given.
      await runTool('samba-tool', ['ntacl', 'set', ...confArgs, sddl, full(path)], { object: path });
    },
    async rename(from, to) {
      // rename(2) would silently replace an empty folder or a file at `to`; SMB refuses, and so does this.
      if (await this.exists(to)) throw sysvolRenameRefused(from, to, location, 'exists', `${to} already exists`);
      try {
        await rename(full(from), full(to));
      } catch (error) {
        throw toCofferError(error, from);
      }
    },
    async close() {
      // nothing held
    },
  };
}
