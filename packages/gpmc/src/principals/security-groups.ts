import type { PrincipalType, SecurityPrincipal } from '../model.js';
import { daclPrincipalSidsInGpmcOrder } from './dacl-sids.js';
import { orderLikeGpmc } from './gpmc-order.js';
import { decodeInfText, templatePrincipalsInGpmcOrder, type TemplatePrincipal } from './gpt-tmpl-principals.js';
import { wellKnownSidName } from '@coffer/active-directory/security';
import { isDomainPrincipal } from './domain-principal.js';

/** What the directory says about an account (the provider asks AD; tests use a table). */
export interface ResolvedAccount {
  samAccountName: string;
  type: PrincipalType;
  netbiosDomainName: string;
  dnsDomainName: string;
  /** The account's userPrincipalName; for groups GPMC writes `<sAMAccountName>@<dns domain>`, the default. */
  upn?: string;
}

export type AccountResolver = (sid: string) => ResolvedAccount | undefined;

export interface SecurityGroupsInput {
  /** GptTmpl.inf bytes (UTF-16LE with BOM), when the GPO has security settings. */
  gptTmplInf?: Uint8Array | null;
  /** The DACL-only security descriptor (`fromDacl` principals come from its domain SIDs). */
  securityDescriptor?: Uint8Array;
  /** Or the DACL's trustee SIDs in ACE order, when the caller has decoded the descriptor already. */
  daclTrusteeSids?: readonly string[];
  resolve: AccountResolver;
}

function resolvedPrincipal(sid: string, account: ResolvedAccount | undefined, fromDacl: boolean): SecurityPrincipal {
  if (account === undefined) {
    // Unresolvable SIDs (deleted accounts) keep the SID alone; GPMC's exact output here is unverified.
    return {
      sid,
      samAccountName: null,
      type: 'Unknown',
      netbiosDomainName: null,
      dnsDomainName: null,
      upn: null,
      fromDacl,
    };
  }
  return {
    sid,
    samAccountName: account.samAccountName,
    type: account.type,
    netbiosDomainName: account.netbiosDomainName,
    dnsDomainName: account.dnsDomainName,
    upn: account.upn ?? `${account.samAccountName}@${account.dnsDomainName}`,
    fromDacl,
  };
}

/**
 * A principal named in settings. Built-in and NT AUTHORITY accounts are written by name only, with no
 * SID and type Unknown (as the corpus shows); domain accounts are resolved (unverified shape).
 */
export function settingsPrincipal(reference: TemplatePrincipal, resolve: AccountResolver): SecurityPrincipal {
  const nameOnly = (name: string): SecurityPrincipal => ({
    sid: null,
    samAccountName: name,
    type: 'Unknown',
    netbiosDomainName: null,
    dnsDomainName: null,
    upn: null,
    fromDacl: false,
  });
  if (reference.sid === null) return nameOnly(reference.name ?? '');
  if (!isDomainPrincipal(reference.sid)) {
    const name = wellKnownSidName(reference.sid) ?? resolve(reference.sid)?.samAccountName;
    return name === undefined ? resolvedPrincipal(reference.sid, undefined, false) : nameOnly(name);
  }
  return resolvedPrincipal(reference.sid, resolve(reference.sid), false);
}

/**
 * `<SecurityGroups>` as GPMC builds it: principals from GptTmpl.inf first, then the domain SIDs of the
 * DACL marked `fromDacl`, each list in GPMC's order.
 */
export function buildSecurityGroups(input: SecurityGroupsInput): SecurityPrincipal[] {
  const fromSettings =
    input.gptTmplInf === undefined || input.gptTmplInf === null
      ? []
      : templatePrincipalsInGpmcOrder(decodeInfText(input.gptTmplInf)).map((reference) =>
          settingsPrincipal(reference, input.resolve),
        );
  const daclSids =
    input.daclTrusteeSids !== undefined
      ? orderLikeGpmc(input.daclTrusteeSids.filter(isDomainPrincipal))
      : daclPrincipalSidsInGpmcOrder(input.securityDescriptor ?? new Uint8Array());
  const fromDacl = daclSids.map((sid) => resolvedPrincipal(sid, input.resolve(sid), true));
  return [...fromSettings, ...fromDacl];
}
