import { isDomainSid, isSidString } from '@coffer/active-directory/security';

/**
 * A domain (or machine) account's SID, `S-1-5-21-<domain>-<RID>`, as opposed to a built-in one. Text that is
 * no SID at all (a name GptTmpl.inf gives instead) is not a domain principal.
 */
export function isDomainPrincipal(sid: string): boolean {
  return isSidString(sid) && isDomainSid(sid);
}
