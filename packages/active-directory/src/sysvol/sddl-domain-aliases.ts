/** SDDL aliases that stand for a domain-relative SID (`<domain SID>-<RID>`). */
const DOMAIN_RELATIVE_ALIASES: Record<string, number> = {
  LA: 500,
  LG: 501,
  DA: 512,
  DU: 513,
  DG: 514,
  DC: 515,
  DD: 516,
  CA: 517,
  SA: 518,
  EA: 519,
  PA: 520,
  RO: 521,
  CN: 522,
  AP: 525,
  KA: 526,
  EK: 527,
  RS: 553,
};

/**
 * Replaces domain-relative aliases (DA, EA…) in owner, group and ACE trustee positions with full SIDs.
 * smbcacls resolves them against the client machine's own SID, which silently grants the wrong principal.
 * EA/SA/RO are forest-root relative; a single-domain forest is assumed.
 */
export function expandDomainAliases(sddl: string, domainSid: string): string {
  const expand = (token: string) =>
    DOMAIN_RELATIVE_ALIASES[token] === undefined ? token : `${domainSid}-${DOMAIN_RELATIVE_ALIASES[token]}`;
  return sddl
    .replace(/([OG]):([A-Z]{2})(?=[GDS]:|$)/g, (_m, part: string, alias: string) => `${part}:${expand(alias)}`)
    .replace(/\(([^()]*)\)/g, (_m, body: string) => {
      const fields = body.split(';');
      if (fields.length === 6 && fields[5] !== undefined) fields[5] = expand(fields[5]);
      return `(${fields.join(';')})`;
    });
}
