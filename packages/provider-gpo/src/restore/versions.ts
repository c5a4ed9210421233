import { joinGpoVersion, splitGpoVersion, unpackBackupSideVersion, type SideVersions } from '@coffer/gpmc';

/** The AD (`versionNumber`) and SYSVOL (GPT.INI) versions of a GPO, each packed user << 16 | machine. */
export interface GpoVersions {
  ad: number;
  sysvol: number;
}

const SIDE_MAX = 0xffff;

/** Backup.xml's per-side numbers (`sysvol << 16 | ad`) as the two packed versions. */
export function versionsFromBackupXml(userVersionNumber: number, machineVersionNumber: number): GpoVersions {
  const user = unpackBackupSideVersion(userVersionNumber);
  const machine = unpackBackupSideVersion(machineVersionNumber);
  return {
    ad: joinGpoVersion({ user: user.ad, machine: machine.ad }),
    sysvol: joinGpoVersion({ user: user.sysvol, machine: machine.sysvol }),
  };
}

/**
 * Versions for settings written over a GPO that still exists: each side one above anything either the
 * live GPO or the backup has used, so every client sees a new version and applies the settings again
 * (a client skips a GPO whose version it has already processed). AD and GPT.INI get the same number.
 * A side already at 65535 wraps to 1: clients compare for change, not order.
 */
export function bumpedVersions(live: GpoVersions, backup: GpoVersions): { versions: GpoVersions; wrapped: boolean } {
  const sides = [live.ad, live.sysvol, backup.ad, backup.sysvol].map(splitGpoVersion);
  let wrapped = false;
  const next = (pick: (s: SideVersions) => number): number => {
    const value = Math.max(...sides.map(pick)) + 1;
    if (value > SIDE_MAX) {
      wrapped = true;
      return 1;
    }
    return value;
  };
  const packed = joinGpoVersion({ user: next((s) => s.user), machine: next((s) => s.machine) });
  return { versions: { ad: packed, sysvol: packed }, wrapped };
}
