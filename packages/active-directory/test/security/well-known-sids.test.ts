import { describe, expect, it } from 'vitest';
import {
  domainSidOf,
  isDomainSid,
  isWellKnownSid,
  lookupWellKnownDomainRid,
  lookupWellKnownSid,
  ridOf,
  SDDL_SID_ALIASES,
  WELL_KNOWN_DOMAIN_RIDS,
  WELL_KNOWN_SIDS,
  wellKnownSidName,
} from '../../src/security/index.js';

describe('well-known SIDs', () => {
  it.each([
    ['S-1-1-0', 'Everyone'],
    ['S-1-5-11', 'Authenticated Users'],
    ['S-1-5-18', 'SYSTEM'],
    ['S-1-5-9', 'ENTERPRISE DOMAIN CONTROLLERS'],
    ['S-1-3-0', 'CREATOR OWNER'],
    ['S-1-5-32-544', 'Administrators'],
    ['S-1-5-32-545', 'Users'],
    ['S-1-5-32-546', 'Guests'],
    ['S-1-5-6', 'SERVICE'],
    ['S-1-5-19', 'LOCAL SERVICE'],
    ['S-1-5-20', 'NETWORK SERVICE'],
  ])('%s is well known as %s and is not a domain SID', (sid, name) => {
    expect(isWellKnownSid(sid)).toBe(true);
    expect(isDomainSid(sid)).toBe(false);
    expect(wellKnownSidName(sid)).toBe(name);
  });

  it('recognises whole well-known families', () => {
    for (const sid of ['S-1-5-32-999', 'S-1-5-80-123-456', 'S-1-16-28672', 'S-1-5-5-0-12345', 'S-1-15-3-1']) {
      expect(isWellKnownSid(sid), sid).toBe(true);
    }
  });

  it('treats domain principals as domain SIDs, never as well known', () => {
    for (const sid of [
      'S-1-5-21-852640682-2439737213-2645099010-512',
      'S-1-5-21-852640682-2439737213-2645099010-519',
      'S-1-5-21-1-2-3-1105',
    ]) {
      expect(isDomainSid(sid)).toBe(true);
      expect(isWellKnownSid(sid)).toBe(false);
    }
    expect(isDomainSid('S-1-5-21-1-2-3')).toBe(false); // the domain itself, not a principal
    expect(domainSidOf('S-1-5-21-1-2-3-512')).toBe('S-1-5-21-1-2-3');
    expect(ridOf('S-1-5-21-1-2-3-512')).toBe(512);
    expect(lookupWellKnownDomainRid('S-1-5-21-1-2-3-519')).toMatchObject({
      name: 'Enterprise Admins',
      sddlAlias: 'EA',
      scope: 'forestRoot',
    });
    expect(wellKnownSidName('S-1-5-21-1-2-3-512')).toBe('Domain Admins');
    expect(wellKnownSidName('S-1-5-21-1-2-3-1105')).toBeUndefined();
  });

  it('has unique SIDs, RIDs and aliases', () => {
    expect(new Set(WELL_KNOWN_SIDS.map((e) => e.sid)).size).toBe(WELL_KNOWN_SIDS.length);
    expect(new Set(WELL_KNOWN_DOMAIN_RIDS.map((e) => e.rid)).size).toBe(WELL_KNOWN_DOMAIN_RIDS.length);
    expect(new Set(SDDL_SID_ALIASES).size).toBe(SDDL_SID_ALIASES.length);
    // Every alias of the [MS-DTYP] 2.5.1.1 sid-token grammar is known.
    const grammar =
      'DA DG DU ED DD DC BA BG BU LA LG AO BO PO SO AU PS CO CG SY PU WD RE IU NU SU RC WR AN SA CA RS EA PA RU LS NS RD NO MU LU IS CY OW ER RO CD AC RA ES MS UD HA CN AA RM LW ME MP HI SI';
    for (const alias of grammar.split(' ')) expect(SDDL_SID_ALIASES, alias).toContain(alias);
    expect(lookupWellKnownSid('s-1-5-11')?.sddlAlias).toBe('AU');
  });
});
