/**
 * GPO version numbers. AD's `versionNumber` and GPT.INI's `Version=` both pack the user version in the
 * high 16 bits and the computer (machine) version in the low 16 bits. Backup.xml packs per side instead:
 * `(SYSVOL version << 16) | AD version`.
 */

export interface SideVersions {
  machine: number;
  user: number;
}

/** Splits a packed `versionNumber` / GPT.INI `Version=` into its two sides. */
export function splitGpoVersion(packed: number): SideVersions {
  const value = packed >>> 0;
  return { machine: value & 0xffff, user: value >>> 16 };
}

/** Packs two side versions the way AD and GPT.INI do. */
export function joinGpoVersion(versions: SideVersions): number {
  return (((versions.user & 0xffff) << 16) | (versions.machine & 0xffff)) >>> 0;
}

/** Backup.xml's per-side number: `(SYSVOL version << 16) | AD version`. */
export function packBackupSideVersion(sysvolVersion: number, adVersion: number): number {
  return (((sysvolVersion & 0xffff) << 16) | (adVersion & 0xffff)) >>> 0;
}

/** `UserVersionNumber` and `MachineVersionNumber` of Backup.xml for a GPO. */
export function backupVersionNumbers(versionNumber: number, gptIniVersion: number): { user: number; machine: number } {
  const ad = splitGpoVersion(versionNumber);
  const sysvol = splitGpoVersion(gptIniVersion);
  return {
    user: packBackupSideVersion(sysvol.user, ad.user),
    machine: packBackupSideVersion(sysvol.machine, ad.machine),
  };
}

/** Reverses {@link packBackupSideVersion}. */
export function unpackBackupSideVersion(packed: number): { sysvol: number; ad: number } {
  const value = packed >>> 0;
  return { sysvol: value >>> 16, ad: value & 0xffff };
}
