import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SysvolWriteEntry } from '@coffer/active-directory';
import { cancelledError } from '@coffer/core';
import { routeGptPath } from '../backup/gpt-routing.js';
import { GPT_FOLDER, type BackupGptEntry } from './load-backup.js';

export interface GptWriteOptions {
  /** GPT.INI as it should be written. */
  gptIni: string;
  /** Rewrites a file's bytes (import's migration table); return null to keep them. */
  transform?: (path: string, bytes: Buffer) => Buffer | null;
  /** Which files `transform` wants to see (the rest stream unread). */
  wantsTransform?: (path: string) => boolean;
  onFile?: (path: string, size: number) => void;
  signal?: AbortSignal;
}

/**
 * The entries to write for a backup's GPT: its folders and files (GPT.INI and Adm excepted: GPT.INI is
 * written fresh with the new version, Adm is the live GPO's own), then GPT.INI. Files stream from the
 * backup; the signal is checked between files, so a cancel stops the write before the swap.
 */
export async function* gptWriteEntries(folder: string, gpt: readonly BackupGptEntry[], options: GptWriteOptions): AsyncGenerator<SysvolWriteEntry> {
  const root = join(folder, ...GPT_FOLDER);
  for (const entry of gpt) {
    if (options.signal?.aborted) throw cancelledError(entry.path);
    if (routeGptPath(entry.path) !== 'copy') continue;
    if (entry.kind === 'directory') {
      yield { path: entry.path, kind: 'directory' };
      continue;
    }
    const absolute = join(root, ...entry.path.split('/'));
    if (options.transform && (options.wantsTransform?.(entry.path) ?? true)) {
      const original = await readFile(absolute);
      const content = options.transform(entry.path, original) ?? original;
      yield { path: entry.path, kind: 'file', content, size: content.length };
      options.onFile?.(entry.path, content.length);
    } else {
      yield { path: entry.path, kind: 'file', content: createReadStream(absolute), size: entry.size };
      options.onFile?.(entry.path, entry.size);
    }
  }
  yield { path: 'GPT.INI', kind: 'file', content: Buffer.from(options.gptIni, 'latin1') };
}
