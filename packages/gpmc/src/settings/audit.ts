/**
 * Advanced Audit Policy (audit.csv): a CSV with the header `Machine Name,Policy Target,Subcategory,Subcategory
 * GUID,Inclusion Setting,Exclusion Setting,Setting Value`, one row per subcategory (or global option such as
 * `Option:CrashOnAuditFail`, or a `File`/`Registry` global SACL). Fields may be double-quoted.
 */
import { settingsMalformed } from './errors.js';
import type { AuditSetting, AuditSettings } from './model.js';

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      out.push(current);
      current = '';
    } else current += char;
  }
  out.push(current);
  return out;
}

export function decodeAuditCsv(text: string, file: string): AuditSettings {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '');
  const header = lines.shift();
  if (header === undefined) return { kind: 'audit', name: 'Advanced Audit Configuration', files: [file], settings: [] };
  const columns = splitCsvLine(header).map((column) => column.trim().toLowerCase());
  const at = (name: string): number => columns.indexOf(name);
  const required = ['policy target', 'subcategory', 'subcategory guid', 'setting value'];
  for (const name of required) if (at(name) < 0) throw settingsMalformed(file, `the header has no "${name}" column`);
  const settings: AuditSetting[] = lines.map((line, index) => {
    const fields = splitCsvLine(line);
    if (fields.length < columns.length - 2)
      throw settingsMalformed(file, `row ${index + 2} has ${fields.length} fields, the header ${columns.length}`);
    const field = (name: string): string => (at(name) < 0 ? '' : (fields[at(name)] ?? '').trim());
    const raw = field('setting value');
    if (raw !== '' && !/^\d+$/.test(raw))
      throw settingsMalformed(file, `row ${index + 2}: setting value ${raw} is not a number`);
    return {
      policyTarget: field('policy target'),
      subcategoryName: field('subcategory'),
      subcategoryGuid: field('subcategory guid'),
      inclusionSetting: field('inclusion setting'),
      exclusionSetting: field('exclusion setting'),
      settingValue: raw === '' ? 0 : Number(raw),
    };
  });
  return { kind: 'audit', name: 'Advanced Audit Configuration', files: [file], settings };
}
