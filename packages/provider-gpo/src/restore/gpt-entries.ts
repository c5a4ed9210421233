import type { SysvolWriteEntry } from '@coffer/active-directory';
import { cancelledError, type BackupReader } from '@coffer/core';
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
 * backup through core's BackupReader (each file opened without following links, checked to be inside the
 * backup, size-bounded); the signal is checked between files, so a cancel stops the write before the swap.
 */
export async function* gptWriteEntries(
  reader: BackupReader,
  gpt: readonly BackupGptEntry[],
  options: GptWriteOptions,
): AsyncGenerator<SysvolWriteEntry> {
  const root = GPT_FOLDER.join('/');
  for (const entry of gpt) {
    if (options.signal?.aborted) throw cancelledError(entry.path);
    if (routeGptPath(entry.path) !== 'copy') continue;
    if (entry.kind === 'directory') {
      yield { path: entry.path, kind: 'directory' };
      continue;
    }
    const relative = `${root}/${entry.path}`;
    if (options.transform && (options.wantsTransform?.(entry.path) ?? true)) {
      const original = await reader.readFile(relative);
      const content = options.transform(entry.path, original) ?? original;
      yield { path: entry.path, kind: 'file', content, size: content.length };
      options.onFile?.(entry.path, content.length);
    } else {
      const { stream, size } = await reader.createReadStream(relative);
      yield { path: entry.path, kind: 'file', content: stream, size };
      options.onFile?.(entry.path, size);
    }
  }
  yield { path: 'GPT.INI', kind: 'file', content: Buffer.from(options.gptIni, 'latin1') };
}
