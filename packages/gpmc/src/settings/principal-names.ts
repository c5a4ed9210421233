import { lookupWellKnownSid, wellKnownSidName, isDomainSid } from '@coffer/active-directory/security';
import { toPrincipal } from '../principals/gpt-tmpl-principals.js';
import type { AccountResolver } from '../principals/security-groups.js';
import type { SettingsPrincipal } from './model.js';

/**
 * The name GPMC's report gives a SID: `BUILTIN\Administrators` (S-1-5-32-*), `NT AUTHORITY\LOCAL SERVICE`
 * (other S-1-5-* well-known SIDs), `Everyone`/`CREATOR OWNER` bare, `DOMAIN\name` for domain accounts the
 * resolver knows; null when nothing knows the SID.
 */
export function reportNameOfSid(sid: string, resolve?: AccountResolver): string | null {
  const account = resolve?.(sid);
  if (account !== undefined)
    return account.netbiosDomainName
      ? `${account.netbiosDomainName}\\${account.samAccountName}`
      : account.samAccountName;
  if (isDomainSid(sid)) return null;
  const known = lookupWellKnownSid(sid)?.name ?? wellKnownSidName(sid);
  if (known === undefined) return null;
  if (sid.startsWith('S-1-5-32-')) return `BUILTIN\\${known}`;
  if (sid.startsWith('S-1-5-')) return `NT AUTHORITY\\${known}`;
  return known;
}

/** A principal token of a settings file (`*S-1-5-32-544`, `Administrators`, `"CORP\Backup Ops"`) with its report name. */
export function settingsPrincipalOf(token: string, resolve?: AccountResolver): SettingsPrincipal | null {
  const reference = toPrincipal(token);
  if (reference === null) return null;
  if (reference.sid === null) return { sid: null, name: reference.name };
  return { sid: reference.sid, name: reportNameOfSid(reference.sid, resolve) };
}

/** A bare SID (GPP and fdeploy1.ini write them without `*`). */
export function principalOfSid(sid: string, resolve?: AccountResolver): SettingsPrincipal {
  const upper = sid.toUpperCase();
  return { sid: upper, name: reportNameOfSid(upper, resolve) };
}
