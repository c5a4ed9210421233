import { createHash } from 'node:crypto';

/** What a file's content may depend on that only exists once the seed's objects are in the directory. */
export interface SeedContext {
  /** e.g. `S-1-5-21-1-2-3`. */
  domainSid: string;
  netbiosDomain: string;
  dnsDomain: string;
  /** sAMAccountName of each seeded group → its objectSid. */
  groupSids: ReadonlyMap<string, string>;
}

/** A file's bytes, or a function of the seeded domain's SIDs and names that gives them. */
export type FileContent = Buffer | ((context: SeedContext) => Buffer);

export function resolveContent(content: FileContent, context: SeedContext): Buffer {
  return typeof content === 'function' ? content(context) : content;
}

/** SID of a seeded group; a seed that lost one is a bug, so say which. */
export function groupSid(context: SeedContext, samAccountName: string): string {
  const sid = context.groupSids.get(samAccountName);
  if (!sid) throw new Error(`The seed group ${samAccountName} has no SID to write into a policy file.`);
  return sid;
}

/** UTF-16LE with a BOM, as SecEdit, the Scripts and Folder Redirection editors write their INI files. */
export function utf16WithBom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** Lines joined and ended with CRLF. */
export function crlf(lines: readonly string[]): string {
  return lines.map((line) => `${line}\r\n`).join('');
}

/** A GUID derived from a name, upper-case and braced: generated files stay the same from one seed to the next. */
export function stableGuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-A${hex.slice(17, 20)}-${hex.slice(20, 32)}}`;
}
