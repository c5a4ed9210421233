import { decodeFacts, encodeFacts, type LicenseFacts } from '../license/license-facts.js';
import { escapeField, unescapeField } from './field-escaping.js';

/**
 * One license in the store's licenses log, and in a backup's drmv2lic.bak:
 *
 *   L <TAB> LID <TAB> KID <TAB> PRIORITY <TAB> SHA-256(xml) <TAB> facts <TAB> xml
 *
 * The hash and facts are computed once, when the license enters the store.
 */
export interface LicenseRecord {
  lid: string;
  kid: string;
  priority: number;
  /** SHA-256 (hex) of the license XML. */
  sha256: string;
  facts: LicenseFacts;
  xml: string;
}

/** The fields before the XML: all a backup needs. */
export interface LicenseRecordHead {
  lid: string;
  kid: string;
  priority: number;
  sha256: string;
  factsText: string;
  /** Offset of the XML field in the line. */
  xmlOffset: number;
}

export function encodeLicenseRecord(record: LicenseRecord): string {
  return `L\t${escapeField(record.lid)}\t${escapeField(record.kid)}\t${record.priority}\t${record.sha256}\t${encodeFacts(record.facts)}\t${escapeField(record.xml)}\n`;
}

const TAB = 9;

/** Reads the head of a record line (without its newline); throws on a malformed line. */
export function decodeLicenseHead(line: Buffer): LicenseRecordHead {
  if (line[0] !== 0x4c /* L */ || line[1] !== TAB) throw new Error('not a license record');
  const tabs: number[] = [1];
  for (let i = 0; i < 5; i += 1) {
    const next = line.indexOf(TAB, tabs[i]! + 1);
    if (next === -1) throw new Error('license record has too few fields');
    tabs.push(next);
  }
  const field = (i: number) => line.toString('utf8', tabs[i]! + 1, tabs[i + 1]);
  const priority = Number(field(2));
  if (!Number.isSafeInteger(priority)) throw new Error('license record has a bad priority');
  return {
    lid: unescapeField(field(0)),
    kid: unescapeField(field(1)),
    priority,
    sha256: field(3),
    factsText: field(4),
    xmlOffset: tabs[5]! + 1,
  };
}

export function decodeLicenseRecord(line: Buffer): LicenseRecord {
  const head = decodeLicenseHead(line);
  return {
    lid: head.lid,
    kid: head.kid,
    priority: head.priority,
    sha256: head.sha256,
    facts: decodeFacts(head.factsText),
    xml: unescapeField(line.toString('utf8', head.xmlOffset)),
  };
}

/**
 * A reusable view of a record line for the backup's hot loop: finds the field tabs once
 * and decodes only what is asked for. The manifest fields are `LID\tKID\tPRIORITY\tSHA256`
 * exactly as a manifest line wants them (same fields, same escaping, same order).
 */
export class LicenseLineView {
  readonly #tabs = new Int32Array(6);
  #line: Buffer = Buffer.alloc(0);
  #start = 0;

  /** Points the view at the record line `line[start, end)` (without its newline); throws on a malformed line. */
  load(line: Buffer, start = 0, end = line.length): void {
    if (line[start] !== 0x4c /* L */ || line[start + 1] !== TAB) throw new Error('not a license record');
    const tabs = this.#tabs;
    tabs[0] = start + 1;
    for (let i = 1; i < 6; i += 1) {
      const next = line.indexOf(TAB, tabs[i - 1]! + 1);
      if (next === -1 || next >= end) throw new Error('license record has too few fields');
      tabs[i] = next;
    }
    this.#line = line;
    this.#start = start;
  }

  get lid(): string {
    return unescapeField(this.#field(0));
  }

  get kid(): string {
    return unescapeField(this.#field(1));
  }

  get factsText(): string {
    return this.#line.toString('latin1', this.#tabs[4]! + 1, this.#tabs[5]);
  }

  /** Where the facts field lies in the loaded buffer. */
  get factsStart(): number {
    return this.#tabs[4]! + 1;
  }

  get factsEnd(): number {
    return this.#tabs[5]!;
  }

  get manifestFields(): Buffer {
    return this.#line.subarray(this.manifestStart, this.manifestEnd);
  }

  /** Where the manifest fields lie in the loaded buffer. */
  get manifestStart(): number {
    return this.#start + 2;
  }

  get manifestEnd(): number {
    return this.#tabs[4]!;
  }

  #field(index: number): string {
    return this.#line.toString('utf8', this.#tabs[index]! + 1, this.#tabs[index + 1]);
  }
}
