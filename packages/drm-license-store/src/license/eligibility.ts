import type { LicenseFacts, LicenseState } from './license-facts.js';

export type BackupRestriction =
  | 'disabled'
  | 'invalid-signature'
  | 'untrusted-signature'
  | 'non-persistent'
  | 'no-backup-right'
  | 'counted-right'
  | 'expired';

export type PlayRestriction =
  | 'disabled'
  | 'invalid-signature'
  | 'untrusted-signature'
  | 'no-play-right'
  | 'not-yet-valid'
  | 'expired'
  | 'exhausted';

const HOUR_MS = 3_600_000;

/** When a license stops working: its expiry date, or the end of its after-first-use window. */
export function effectiveExpiry(facts: LicenseFacts, state: LicenseState): number | null {
  let expiry = facts.expiresAt;
  if (facts.afterFirstUseHours !== null && state.firstUse !== null) {
    const afterUse = state.firstUse + facts.afterFirstUseHours * HOUR_MS;
    expiry = expiry === null ? afterUse : Math.min(expiry, afterUse);
  }
  return expiry;
}

/**
 * Why a license may not be backed up (undefined: it may). The issuer must grant Backup
 * explicitly; a persistent, validly signed license with no counted right that is neither
 * expired nor disabled qualifies. (A counted right covers "exhausted" too: such a license
 * is never eligible.)
 */
export function backupRestriction(
  facts: LicenseFacts,
  state: LicenseState,
  now: number,
): BackupRestriction | undefined {
  if (state.disabled) return 'disabled';
  if (facts.signature === 'invalid') return 'invalid-signature';
  if (facts.signature === 'untrusted') return 'untrusted-signature';
  if (!facts.persistent) return 'non-persistent';
  if (!facts.rights.includes('Backup')) return 'no-backup-right';
  if (Object.keys(facts.counts).length > 0) return 'counted-right';
  const expiry = effectiveExpiry(facts, state);
  if (expiry !== null && expiry <= now) return 'expired';
  return undefined;
}

/** Why a license cannot be played now (undefined: it can). */
export function playRestriction(facts: LicenseFacts, state: LicenseState, now: number): PlayRestriction | undefined {
  if (state.disabled) return 'disabled';
  if (facts.signature === 'invalid') return 'invalid-signature';
  if (facts.signature === 'untrusted') return 'untrusted-signature';
  if (!facts.rights.includes('Play')) return 'no-play-right';
  if (facts.beginsAt !== null && facts.beginsAt > now) return 'not-yet-valid';
  const expiry = effectiveExpiry(facts, state);
  if (expiry !== null && expiry <= now) return 'expired';
  const count = facts.counts.Play;
  if (count !== undefined && state.plays >= count) return 'exhausted';
  return undefined;
}

export const RESTRICTION_TEXT: Record<BackupRestriction | PlayRestriction, string> = {
  disabled: 'the license is disabled',
  'invalid-signature': 'the license signature does not verify',
  'untrusted-signature': 'the license is signed by a licensor this store does not trust',
  'non-persistent': 'the license is not persistent',
  'no-backup-right': 'the issuer did not grant the Backup right',
  'counted-right': 'the license carries a counted right',
  expired: 'the license has expired',
  'no-play-right': 'the license grants no Play right',
  'not-yet-valid': 'the license is not valid yet',
  exhausted: 'the play count is used up',
};
