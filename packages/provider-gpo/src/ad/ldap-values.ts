import type { LdapEntry } from '@coffer/active-directory';

/** First value of an attribute as text; undefined when absent. */
export function attributeText(entry: LdapEntry, name: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

/** Every value of an attribute as text. */
export function attributeTexts(entry: LdapEntry, name: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return [];
  const value = entry[key]!;
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** First value of a binary attribute. */
export function attributeBytes(entry: LdapEntry, name: string): Buffer | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first : undefined;
}

export function attributeNumber(entry: LdapEntry, name: string, fallback = 0): number {
  const text = attributeText(entry, name);
  const n = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(n) ? n : fallback;
}

/** LDAP GeneralizedTime (`20261121233000.0Z`) as a Date. */
export function parseGeneralizedTime(text: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text ?? '');
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
}
