import { orderLikeGpmc } from './gpmc-order.js';

/** Decodes GptTmpl.inf: UTF-16LE with BOM as SecEdit writes it, else UTF-8. */
export function decodeInfText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  return buffer.toString('utf8').replace(/^\uFEFF/, '');
}

/** A principal as a security template names it: `*S-1-5-32-544` (a SID) or a bare account name. */
export interface TemplatePrincipal {
  sid: string | null;
  name: string | null;
}

function toPrincipal(token: string): TemplatePrincipal | null {
  const value = token.trim().replace(/^"(.*)"$/, '$1');
  if (value === '') return null;
  return value.startsWith('*') ? { sid: value.slice(1).toUpperCase(), name: null } : { sid: null, name: value };
}

/**
 * Every principal GptTmpl.inf refers to, in file order: the accounts of `[Privilege Rights]` and the
 * groups and members of `[Group Membership]` (restricted groups).
 */
export function templatePrincipalReferences(infText: string): TemplatePrincipal[] {
  const out: TemplatePrincipal[] = [];
  let section = '';
  for (const rawLine of infText.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header !== null) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) continue;
    const key = line.slice(0, equals).trim();
    const values = line.slice(equals + 1).split(',');
    if (section === 'privilege rights') {
      for (const value of values) {
        const principal = toPrincipal(value);
        if (principal !== null) out.push(principal);
      }
    } else if (section === 'group membership') {
      const group = toPrincipal(key.replace(/__(members|memberof)$/i, ''));
      if (group !== null) out.push(group);
      for (const value of values) {
        const principal = toPrincipal(value);
        if (principal !== null) out.push(principal);
      }
    }
  }
  return out;
}

/**
 * The settings principals of a GptTmpl.inf in the order GPMC writes them in `<SecurityGroups>`.
 * Proven for `[Privilege Rights]` by the corpus; `[Group Membership]` follows the same rule (unverified).
 */
export function templatePrincipalsInGpmcOrder(infText: string): TemplatePrincipal[] {
  const references = templatePrincipalReferences(infText);
  const keyOf = (principal: TemplatePrincipal): string => (principal.sid !== null ? `*${principal.sid}` : principal.name!);
  const byKey = new Map(references.map((principal) => [keyOf(principal).toUpperCase(), principal]));
  return orderLikeGpmc(references.map(keyOf)).map((key) => byKey.get(key.toUpperCase())!);
}
