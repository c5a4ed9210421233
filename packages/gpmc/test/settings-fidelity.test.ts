/**
 * [corpus] Fidelity of the settings decoders against real GPMC: for every backup of the corpus, the settings are
 * rebuilt from its DomainSysvol tree alone and compared with the <ExtensionData> GPMC wrote in its gpreport.xml.
 * - Security and Advanced Audit: every setting equal (name, value, members' SIDs), both ways.
 * - Preferences: every item equal (element, name, action, Properties attributes, Properties children as a tree).
 * - Administrative Templates: the corpus has no ADMX, so GPMC's policy names cannot be rebuilt; what the report
 *   shows as raw data (numbers, list names and data, text) must be among the decoded Registry.pol records, and
 *   every Registry.pol must decode whole.
 * The match rate per extension is printed (and written to docs/settings-fidelity.md with COFFER_WRITE_FIDELITY=1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeCorpus, repoRoot } from '@coffer/test-support';
import { parseXmlDocument, type XmlElement } from '../src/xml/element-tree.js';
import { buildSettingsReport, renderGpreportSettingsXml, type GpoSettingsReport } from '../src/index.js';
import { CORPUS_BACKUPS } from './corpus.js';

interface Tally {
  matched: number;
  total: number;
  misses: string[];
}

const tallies = new Map<string, Tally>();
function tally(extension: string, ours: Set<string>, theirs: Set<string>, both = true): void {
  const t = tallies.get(extension) ?? { matched: 0, total: 0, misses: [] };
  const union = both ? new Set([...ours, ...theirs]) : theirs;
  for (const fact of union) {
    t.total++;
    if (ours.has(fact) && theirs.has(fact)) t.matched++;
    else t.misses.push(`${ours.has(fact) ? 'only Coffer' : 'only GPMC'}: ${fact}`);
  }
  tallies.set(extension, t);
}

const child = (e: XmlElement, name: string): XmlElement | undefined => e.children.find((c) => c.name === name);
const textOf = (e: XmlElement | undefined): string => (e?.children.length ? '' : (e?.text ?? ''));

function gpmcExtensions(report: XmlElement, side: 'Computer' | 'User'): Array<{ name: string; extension: XmlElement }> {
  const element = child(report, side);
  return (element?.children ?? [])
    .filter((c) => c.name === 'ExtensionData')
    .map((data) => ({ name: child(data, 'Name')!.text, extension: child(data, 'Extension')! }));
}

// ----- Security facts, as strings both sides produce
function gpmcSecurityFacts(extension: XmlElement): Set<string> {
  const facts = new Set<string>();
  const value = (e: XmlElement): string =>
    ['SettingNumber', 'SettingBoolean', 'SettingString'].map((n) => child(e, n)).find((c) => c !== undefined)?.text ??
    child(e, 'SettingStrings')
      ?.children.map((c) => c.text)
      .join('|') ??
    '';
  const sids = (e: XmlElement, tag: string): string =>
    e.children
      .filter((c) => c.name === tag)
      .map((m) => textOf(child(m, 'SID')) || textOf(child(m, 'Name')))
      .sort()
      .join(',');
  for (const e of extension.children) {
    if (e.name === 'Account') facts.add(`Account ${child(e, 'Name')!.text} = ${value(e)} (${child(e, 'Type')!.text})`);
    else if (e.name === 'UserRightsAssignment') facts.add(`Right ${child(e, 'Name')!.text} = ${sids(e, 'Member')}`);
    else if (e.name === 'SecurityOptions')
      facts.add(`Option ${textOf(child(e, 'KeyName')) || textOf(child(e, 'SystemAccessPolicyName'))} = ${value(e)}`);
    else if (e.name === 'EventLog')
      facts.add(`EventLog ${child(e, 'Log')!.text} ${child(e, 'Name')!.text} = ${value(e)}`);
    else if (e.name === 'Audit')
      facts.add(
        `Audit ${child(e, 'Name')!.text} = ${child(e, 'SuccessAttempts')?.text}/${child(e, 'FailureAttempts')?.text}`,
      );
    else if (e.name === 'RestrictedGroups') {
      const group = child(e, 'GroupName')!;
      facts.add(
        `Group ${textOf(child(group, 'SID')) || textOf(child(group, 'Name'))} members=${sids(e, 'Member')} memberof=${sids(e, 'Memberof')}`,
      );
    } else if (e.name === 'SystemServices')
      facts.add(`Service ${child(e, 'Name')!.text} = ${child(e, 'StartupMode')!.text}`);
    else facts.add(`Unknown element ${e.name}`);
  }
  return facts;
}

// ----- Audit
function gpmcAuditFacts(extension: XmlElement): Set<string> {
  return new Set(
    extension.children.map(
      (e) =>
        `${child(e, 'PolicyTarget')?.text}|${child(e, 'SubcategoryName')?.text}|${child(e, 'SubcategoryGuid')?.text}|${child(e, 'SettingValue')?.text}`,
    ),
  );
}

// ----- Preferences: a canonical form (children sorted: GPMC reorders a task's elements into schema order)
function canonical(node: {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: ReadonlyArray<unknown>;
}): string {
  const attrs = Object.entries(node.attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const kids = (node.children as Array<typeof node>).map(canonical).sort().join('');
  return `<${node.name} ${attrs}>${node.children.length > 0 ? '' : node.text}${kids}</${node.name}>`;
}
function gpmcItemFacts(root: XmlElement): Set<string> {
  const facts = new Set<string>();
  for (const item of root.children) {
    const properties = child(item, 'Properties');
    const props = properties === undefined ? '' : canonical({ ...properties, children: properties.children });
    facts.add(`${item.name} "${item.attributes.name}" ${properties?.attributes.action ?? '-'} ${props}`);
  }
  return facts;
}

// ----- Registry: raw values GPMC shows
/** What the decoded Registry.pol records can show: numbers, strings, value names, keys. */
function registryRecordFacts(
  entries: ReadonlyArray<{ key: string; valueName: string; data: string | number | string[] }>,
): Set<string> {
  const facts = new Set<string>();
  for (const entry of entries) {
    if (typeof entry.data === 'number') facts.add(`number ${entry.data}`);
    else if (Array.isArray(entry.data)) for (const d of entry.data) facts.add(`text ${d}`);
    else facts.add(`text ${entry.data}`);
    facts.add(`name ${entry.valueName}`);
    facts.add(`key ${entry.key}`);
  }
  return facts;
}

function gpmcRegistryValues(extension: XmlElement): Set<string> {
  const facts = new Set<string>();
  const visit = (e: XmlElement): void => {
    if (e.name === 'Numeric') facts.add(`number ${child(e, 'Value')?.text}`);
    if (e.name === 'EditText') facts.add(`text ${child(e, 'Value')?.text}`);
    if (e.name === 'Element') {
      if (child(e, 'Name')) facts.add(`name ${child(e, 'Name')!.text}`);
      if (child(e, 'Data')) facts.add(`text ${child(e, 'Data')!.text}`);
    }
    if (e.name === 'RegistrySetting') facts.add(`key ${child(e, 'KeyPath')?.text}`);
    e.children.forEach(visit);
  };
  visit(extension);
  return facts;
}

const reports = new Map<string, GpoSettingsReport>();
let gpmcPolicies = 0;
let decodedRecords = 0;

describeCorpus('settings decoded from the GPT equal the <ExtensionData> GPMC wrote', () => {
  for (const backup of CORPUS_BACKUPS) {
    it(`${backup.name}: every extension GPMC reports is decoded, with equal settings`, async () => {
      const report = await buildSettingsReport(backup.folder);
      reports.set(backup.name, report);
      expect(report.issues).toEqual([]);
      const gpmc = parseXmlDocument(readFileSync(join(backup.folder, 'gpreport.xml')), 'gpreport.xml');
      // Ours, rendered as gpreport.xml's <Computer>/<User> and read back with the same code as GPMC's.
      const rendered = renderGpreportSettingsXml(report);
      const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
      const coffer = parseXmlDocument(
        `<GPO ${xsi}><Computer>${rendered.computer}</Computer><User>${rendered.user}</User></GPO>`,
        'rendered',
      );
      for (const side of ['Computer', 'User'] as const) {
        const ours = report[side === 'Computer' ? 'computer' : 'user'].extensions;
        const theirs = gpmcExtensions(gpmc, side);
        // The same extensions, by GPMC's name (others we list beyond GPMC's are extensions it has no report for).
        expect(
          ours
            .filter((e) => e.kind !== 'other')
            .map((e) => e.name)
            .sort(),
        ).toEqual(theirs.map((e) => e.name).sort());
        const renderedSide = gpmcExtensions(coffer, side);
        for (const { name, extension } of theirs) {
          const mine = renderedSide.find((e) => e.name === name)?.extension;
          const empty = new Set<string>();
          if (name === 'Security')
            tally('Security', mine ? gpmcSecurityFacts(mine) : empty, gpmcSecurityFacts(extension));
          else if (name === 'Advanced Audit Configuration')
            tally('Advanced Audit', mine ? gpmcAuditFacts(mine) : empty, gpmcAuditFacts(extension));
          else if (name === 'Registry') {
            const decoded = ours.find((e) => e.kind === 'registry');
            gpmcPolicies += extension.children.filter((e) => e.name === 'Policy').length;
            if (decoded?.kind === 'registry') decodedRecords += decoded.entries.length;
            tally(
              'Registry (raw values GPMC shows)',
              decoded?.kind === 'registry' ? registryRecordFacts(decoded.entries) : empty,
              gpmcRegistryValues(extension),
              false,
            );
          } else if (mine !== undefined && name !== 'Registry')
            tally(`Preferences: ${name}`, gpmcItemFacts(mine.children[0]!), gpmcItemFacts(extension.children[0]!));
          else tally(`${name} (not compared)`, empty, new Set([`extension ${name}`]));
        }
      }
    });
  }

  it('matches GPMC 100% for Security, Advanced Audit and Preferences (the table is printed)', () => {
    expect(reports.size).toBe(CORPUS_BACKUPS.length);
    const rows = [...tallies.entries()].map(
      ([name, t]) =>
        `| ${name} | ${t.matched} / ${t.total} | ${((100 * t.matched) / Math.max(1, t.total)).toFixed(1)}% |`,
    );
    rows.push(
      `| Registry policy names (need the ADMX, which the corpus lacks) | not compared: ${gpmcPolicies} policies in GPMC's reports, ${decodedRecords} Registry.pol records decoded | – |`,
    );
    const table = ['| extension | settings equal | match rate |', '|---|---|---|', ...rows].join('\n');
    console.log(`\nSettings fidelity against GPMC (${reports.size} corpus backups):\n${table}`);
    for (const [name, t] of tallies)
      if (t.misses.length > 0) console.log(`${name} differences:\n  ${t.misses.slice(0, 20).join('\n  ')}`);
    if (process.env.COFFER_WRITE_FIDELITY === '1') {
      const doc = readFileSync(join(repoRoot(), 'docs', 'settings-fidelity.md'), 'utf8');
      writeFileSync(
        join(repoRoot(), 'docs', 'settings-fidelity.md'),
        doc.replace(/<!-- table -->[\s\S]*<!-- \/table -->/, `<!-- table -->\n${table}\n<!-- /table -->`),
      );
    }
    for (const [name, t] of tallies) {
      if (name === 'Security' || name === 'Advanced Audit' || name.startsWith('Preferences:')) {
        expect(t.misses, `${name} must match GPMC 100%`).toEqual([]);
      }
    }
  });
});
