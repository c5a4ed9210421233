/**
 * Where the decoders read a GPT from: a list of file paths and a reader. Paths are `/`-separated and relative to
 * the GPT root (a backup's `DomainSysvol/GPO` folder), case as found; look-ups are case-insensitive as on Windows.
 */
import type { BackupReader } from '@coffer/core';

export interface GptSource {
  /** Every file of the GPT (folders need not be listed). */
  readonly files: readonly string[];
  /** The bytes of one listed file. */
  read(path: string): Promise<Uint8Array>;
}

/**
 * A GPT held in memory (the backup provider has the bytes it just read off SYSVOL). `allFiles` lists every file of
 * the GPT when only some are held (those {@link isSettingsFile} names): the others are listed, never read.
 */
export function gptSourceFromFiles(
  files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>,
  allFiles?: readonly string[],
): GptSource {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  return {
    files: (allFiles ?? [...map.keys()]).map((path) => path.replace(/\\/g, '/')),
    read: async (path) => {
      const bytes = map.get(path) ?? map.get(path.replace(/\//g, '\\'));
      if (bytes === undefined) throw new Error(`${path} is not in the GPT`);
      return bytes;
    },
  };
}

/** The GPT below `under` of a backup folder, read through core's BackupReader (links refused, sizes bounded). */
export async function gptSourceFromBackup(reader: BackupReader, under = 'DomainSysvol/GPO'): Promise<GptSource> {
  const tree = await reader.walk(under);
  reader.refuseAnomalies(tree, under);
  return {
    files: tree.entries.filter((entry) => entry.kind === 'file').map((entry) => entry.path),
    read: (path) => reader.readFile(`${under}/${path}`),
  };
}

/** Case-insensitive look-up of files by path. */
export class GptIndex {
  private readonly byKey = new Map<string, string>();

  constructor(readonly source: GptSource) {
    for (const path of source.files) this.byKey.set(path.replace(/\\/g, '/').toLowerCase(), path);
  }

  /** The path as listed, or undefined. */
  find(path: string): string | undefined {
    return this.byKey.get(path.toLowerCase());
  }

  /** Listed paths matching a predicate on the lower-case path. */
  filter(predicate: (lowerPath: string) => boolean): string[] {
    return [...this.byKey.entries()].filter(([key]) => predicate(key)).map(([, path]) => path);
  }
}

/**
 * Whether buildSettingsReport reads this GPT file (path from the GPT root, any case): GptTmpl.inf, audit.csv,
 * Registry.pol, scripts.ini / psscripts.ini, fdeploy(1).ini, a preference XML. A backup keeps these bytes for the
 * report; every other file is only listed.
 */
export function isSettingsFile(path: string): boolean {
  const lower = path.replace(/\\/g, '/').toLowerCase();
  return (
    lower === 'machine/microsoft/windows nt/secedit/gpttmpl.inf' ||
    lower === 'machine/microsoft/windows nt/audit/audit.csv' ||
    /^(machine|user)\/registry\.pol$/.test(lower) ||
    /^(machine|user)\/scripts\/(ps)?scripts\.ini$/.test(lower) ||
    /^user\/documents & settings\/fdeploy1?\.ini$/.test(lower) ||
    /^(machine|user)\/preferences\/[^/]+\/[^/]+\.xml$/.test(lower)
  );
}
