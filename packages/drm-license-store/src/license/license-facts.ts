/**
 * What the store needs to know about a license without parsing its XML: derived once,
 * when the license enters the store (issue, import, restore), and kept in its record
 * under the store's MAC. Backup decides eligibility from these facts alone, which is what
 * keeps a 100,000-license backup a streaming copy.
 */
export const RIGHTS = ['Play', 'Copy', 'Backup', 'Restore'] as const;
export type Right = (typeof RIGHTS)[number];

export type SignatureVerdict = 'valid' | 'invalid' | 'untrusted';

export interface LicenseFacts {
  persistent: boolean;
  rights: Right[];
  /** Counted rights and their counts. */
  counts: Partial<Record<Right, number>>;
  signature: SignatureVerdict;
  /** Latest begin date of the usage rights (ms since epoch), if any. */
  beginsAt: number | null;
  /** Expiry of the license: the latest expiry of its usage rights; null when one never expires. */
  expiresAt: number | null;
  /** Hours a usage right lasts after first use, when every usage right has such a limit. */
  afterFirstUseHours: number | null;
}

/** Mutable per-LID state, kept apart from the licenses (the state log). */
export interface LicenseState {
  plays: number;
  /** ms since epoch of the first play. */
  firstUse: number | null;
  disabled: boolean;
}

export const FRESH_STATE: LicenseState = Object.freeze({ plays: 0, firstUse: null, disabled: false });

export function encodeFacts(facts: LicenseFacts): string {
  const counts = Object.entries(facts.counts)
    .map(([right, count]) => `${right}:${count}`)
    .join(',');
  const time = (value: number | null) => (value === null ? '-' : String(value));
  return [
    `p=${facts.persistent ? 1 : 0}`,
    `r=${facts.rights.join(',')}`,
    `n=${counts}`,
    `s=${facts.signature}`,
    `b=${time(facts.beginsAt)}`,
    `x=${time(facts.expiresAt)}`,
    `f=${time(facts.afterFirstUseHours)}`,
  ].join(';');
}

export function decodeFacts(text: string): LicenseFacts {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new Error(`malformed license facts ${JSON.stringify(text)}`);
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const get = (key: string) => {
    const value = fields.get(key);
    if (value === undefined) throw new Error(`license facts lack ${key}: ${JSON.stringify(text)}`);
    return value;
  };
  const time = (value: string) => (value === '-' ? null : Number(value));
  const signature = get('s');
  if (signature !== 'valid' && signature !== 'invalid' && signature !== 'untrusted')
    throw new Error(`bad signature verdict ${signature}`);
  const counts: Partial<Record<Right, number>> = {};
  for (const item of get('n').split(',').filter(Boolean)) {
    const [right, count] = item.split(':');
    counts[right as Right] = Number(count);
  }
  return {
    persistent: get('p') === '1',
    rights: get('r').split(',').filter(Boolean) as Right[],
    counts,
    signature,
    beginsAt: time(get('b')),
    expiresAt: time(get('x')),
    afterFirstUseHours: time(get('f')),
  };
}

/** Decoding facts is the hot path of a backup; licenses issued together share one facts string. */
export class FactsCache {
  readonly #cache = new Map<string, LicenseFacts>();

  get(text: string): LicenseFacts {
    let facts = this.#cache.get(text);
    if (facts === undefined) {
      facts = decodeFacts(text);
      if (this.#cache.size >= 4096) this.#cache.clear();
      this.#cache.set(text, facts);
    }
    return facts;
  }
}
