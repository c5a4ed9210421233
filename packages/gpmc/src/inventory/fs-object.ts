/** The `<FSObjectFile>` / `<FSObjectDir>` entries of Backup.xml and how their three paths are built. */

export interface FsObject {
  kind: 'file' | 'dir';
  /** `bkp:Path`, with `%GPO_FSPATH%`, `%GPO_MACH_FSPATH%` or `%GPO_USER_FSPATH%`. */
  path: string;
  /** `bkp:SourceExpandedPath`: the UNC GPMC read it from. */
  sourceExpandedPath: string;
  /** `bkp:ReEvaluateFunction`, the extension's hook run on restore/import. */
  reEvaluateFunction?: string;
  /** `bkp:Location`, inside the backup folder; absent when the entry is referenced but not copied. */
  location?: string;
  /** Files a wildcard entry stands for (Folder Redirection, Scripts). */
  children?: FsObject[];
}

export interface ExtensionBlock {
  /** CSE GUID, `bkp:ID`. */
  id: string;
  /** `bkp:DescName`. */
  descName: string;
  objects: FsObject[];
}

/** Builds the three paths of GPT entries for one GPO read from one DC. */
export class GptPathBuilder {
  readonly uncRoot: string;

  constructor(domainController: string, domain: string, gpoId: string) {
    // GPMC writes the share and the Policies folder in this case, whatever the server calls them.
    this.uncRoot = `\\\\${domainController}\\sysvol\\${domain}\\Policies\\${gpoId}`;
  }

  /**
   * An entry for a GPT path given as segments from the GPT root. A first segment naming the Machine or
   * User folder (any case) becomes the side's variable and GPMC's own spelling of the folder.
   */
  entry(
    kind: 'file' | 'dir',
    segments: readonly string[],
    options: { copied?: boolean; reEvaluateFunction?: string } = {},
  ): FsObject {
    const { variable, folder, rest } = this.split(segments);
    const relative = rest.join('\\');
    const withFolder = [folder, relative].filter((part) => part !== '').join('\\');
    const object: FsObject = {
      kind,
      path: relative === '' ? variable : `${variable}\\${relative}`,
      sourceExpandedPath: withFolder === '' ? this.uncRoot : `${this.uncRoot}\\${withFolder}`,
    };
    if (options.reEvaluateFunction !== undefined) object.reEvaluateFunction = options.reEvaluateFunction;
    if (options.copied !== false)
      object.location = withFolder === '' ? 'DomainSysvol\\GPO' : `DomainSysvol\\GPO\\${withFolder}`;
    return object;
  }

  private split(segments: readonly string[]): { variable: string; folder: string; rest: readonly string[] } {
    const first = segments[0]?.toUpperCase();
    if (first === 'MACHINE' && segments.length > 1)
      return { variable: '%GPO_MACH_FSPATH%', folder: 'Machine', rest: segments.slice(1) };
    if (first === 'USER' && segments.length > 1)
      return { variable: '%GPO_USER_FSPATH%', folder: 'User', rest: segments.slice(1) };
    return { variable: '%GPO_FSPATH%', folder: '', rest: segments };
  }
}
