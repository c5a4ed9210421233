/**
 * What Coffer keeps beyond GPMC for a Starter GPO, in `coffer-starter-gpo-extras.json` next to (not inside)
 * the GPMC files: the folder's file-system ACL (a Starter GPO's only permissions, which a GPMC backup is not
 * known to keep), where it was read from, and the identity and inventory a restore needs.
 */
import type { FolderAcl, StarterGpoEntry, StarterGpoSnapshot } from '../model/starter-gpo.js';
import type { StarterGpoTypeName } from '../template/starter-gpo-template.js';

export const STARTER_GPO_EXTRAS_FORMAT = 'coffer-starter-gpo-extras';

export interface StarterGpoExtras {
  format: typeof STARTER_GPO_EXTRAS_FORMAT;
  version: 1;
  starterGpo: {
    id: string;
    folderName: string;
    /** `<dns>/StarterGPOs/{GUID}`, relative to the SYSVOL share. */
    sharePath: string;
    displayName: string;
    description: string;
    author: string;
    product: string;
    type: StarterGpoTypeName | null;
    computerVersion: number | null;
    userVersion: number | null;
    starterGpoVersion: string | null;
    creationTime: string | null;
    modifiedTime: string | null;
    /** Languages with a `<lang>/StarterGPO.tmpll`. */
    languages: string[];
  };
  source: {
    domain: string;
    domainController: string | null;
    /** `smb` (smbclient) or `local` (a local or mounted SYSVOL path). */
    transport: 'smb' | 'local';
  };
  /** The folder's security descriptor; null when the transport could not read it (a warning says so). */
  acl: FolderAcl | null;
  /** Every file and folder, as found, with sizes and times. */
  entries: StarterGpoEntry[];
}

export function buildStarterGpoExtras(
  snapshot: StarterGpoSnapshot,
  source: StarterGpoExtras['source'],
): StarterGpoExtras {
  return {
    format: STARTER_GPO_EXTRAS_FORMAT,
    version: 1,
    starterGpo: {
      id: snapshot.id,
      folderName: snapshot.folderName,
      sharePath: snapshot.sharePath,
      displayName: snapshot.displayName,
      description: snapshot.description,
      author: snapshot.author,
      product: snapshot.product,
      type: snapshot.type,
      computerVersion: snapshot.computerVersion,
      userVersion: snapshot.userVersion,
      starterGpoVersion: snapshot.starterGpoVersion,
      creationTime: snapshot.creationTime,
      modifiedTime: snapshot.modifiedTime,
      languages: snapshot.localized.map((l) => l.language),
    },
    source,
    acl: snapshot.acl,
    entries: snapshot.entries,
  };
}

export function renderStarterGpoExtras(extras: StarterGpoExtras): string {
  return `${JSON.stringify(extras, null, 2)}\n`;
}

export function parseStarterGpoExtras(text: string, where: string): StarterGpoExtras {
  let value: Partial<StarterGpoExtras>;
  try {
    value = JSON.parse(text) as Partial<StarterGpoExtras>;
  } catch (error) {
    throw new Error(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (
    value.format !== STARTER_GPO_EXTRAS_FORMAT ||
    value.version !== 1 ||
    !value.starterGpo ||
    !Array.isArray(value.entries)
  ) {
    throw new Error(
      `${where} is not a Coffer Starter GPO extras file (format ${String(value.format)}, version ${String(value.version)}).`,
    );
  }
  return value as StarterGpoExtras;
}
