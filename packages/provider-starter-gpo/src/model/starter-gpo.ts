/**
 * One Starter GPO as read from SYSVOL: its identity (from StarterGPO.tmplx and the localised .tmpll files),
 * every file and folder of its SYSVOL folder, and the folder's file-system ACL. Complete enough for a later
 * restore to write the folder back as it was.
 */
import type { LocalizedTemplate } from '../template/localized-template.js';
import type { StarterGpoTemplate, StarterGpoTypeName } from '../template/starter-gpo-template.js';

export interface StarterGpoEntry {
  /** Relative to the Starter GPO's folder, `/`-separated, names exactly as found (case, spaces, Unicode). */
  path: string;
  kind: 'file' | 'dir';
  /** Bytes, for files. */
  size?: number;
  /** Last write time, when the transport reports it. */
  modified?: string;
}

/** The folder's security descriptor, as the transport read it. */
export interface FolderAcl {
  /** SDDL of the descriptor (owner, group, DACL; SACL when it could be read). */
  sddl: string;
  /** How it was read: `smbcacls`, `samba-tool ntacl`, `xattr`... */
  source: string;
  /** Self-relative descriptor in hex, when the transport gives the bytes. */
  hex?: string;
}

/** A Starter GPO found in `<sysvol>/<dns domain>/StarterGPOs/`, before its files are read. */
export interface StarterGpoSummary {
  /** `{GUID}`: from the tmplx when it names one, else the folder name. */
  id: string;
  /** The folder's name as found in StarterGPOs. */
  folderName: string;
  /** Path relative to the SYSVOL share root, `/`-separated: `<dns>/StarterGPOs/{GUID}`. */
  sharePath: string;
  /** Resolved through the .tmpll when the tmplx refers to a localised string. */
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
  template: StarterGpoTemplate;
  /** StarterGPO.tmplx exactly as read. */
  templateBytes: Buffer;
  localized: LocalizedTemplate[];
}

/** A Starter GPO with the inventory of its folder and its ACL. */
export interface StarterGpoSnapshot extends StarterGpoSummary {
  entries: StarterGpoEntry[];
  acl: FolderAcl | null;
}

export function starterGpoLabel(gpo: Pick<StarterGpoSummary, 'displayName' | 'id'>): string {
  return gpo.displayName ? `${gpo.displayName} ${gpo.id}` : gpo.id;
}
