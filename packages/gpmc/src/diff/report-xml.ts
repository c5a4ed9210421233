/**
 * `coffer report --format xml`: GPMC's gpreport shape. One backup gives its `<GPO>` (the backup's own gpreport.xml,
 * with the `<ExtensionData>` rebuilt from its GPT when it has none, as backups written before settings were decoded);
 * several give Get-GPOReport -All's `<report>` root with one `<GPO>` per backup. Written as UTF-8 text.
 */
import { BackupReader } from '@coffer/core';
import { escapeText } from '../xml/escape.js';
import { renderGpreportSettingsXml } from '../report/settings-xml.js';
import type { BackupSnapshot } from './backup-snapshot.js';

const SETTINGS_NS = 'http://www.microsoft.com/GroupPolicy/Settings';
const SCHEMA_NS = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** Inserts `<ExtensionData>` blocks before the closing tag of `<Computer>` / `<User>` (GPMC puts them after `<Enabled>`). */
function withExtensionData(gpo: string, tag: 'Computer' | 'User', blocks: string): string {
  if (blocks === '') return gpo;
  const close = `</${tag}>`;
  const at = gpo.indexOf(close);
  if (at < 0) return gpo;
  const lineStart = gpo.lastIndexOf('\n', at) + 1;
  const before = gpo.slice(0, lineStart);
  return `${before}${blocks.replace(/\r?\n$/, '')}\r\n${gpo.slice(lineStart)}`;
}

/** The `<GPO>` element of one snapshot (no XML declaration). */
export function gpoReportElement(snapshot: BackupSnapshot, gpreportXml: string | null): string {
  const data = renderGpreportSettingsXml(snapshot.settings);
  let gpo: string;
  if (gpreportXml !== null && /<GPO[\s>]/.test(gpreportXml)) {
    gpo = gpreportXml.replace(/^\uFEFF?<\?xml[^>]*\?>\s*/, '');
    if (!/<ExtensionData>/.test(gpo))
      gpo = withExtensionData(withExtensionData(gpo, 'Computer', data.computer), 'User', data.user);
  } else {
    // A Starter GPO backup (or one without gpreport.xml): identity and settings only.
    const side = (tag: string, blocks: string) =>
      [`  <${tag}>`, blocks.replace(/\r?\n$/, ''), `  </${tag}>`].filter(Boolean).join('\r\n');
    gpo = [
      `<GPO ${SCHEMA_NS} xmlns="${SETTINGS_NS}">`,
      '  <Identifier>',
      `    <Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${escapeText(snapshot.gpoId)}</Identifier>`,
      `    <Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">${escapeText(snapshot.domain)}</Domain>`,
      '  </Identifier>',
      `  <Name>${escapeText(snapshot.name)}</Name>`,
      side('Computer', data.computer),
      side('User', data.user),
      '</GPO>',
    ].join('\r\n');
  }
  return gpo;
}

/** The XML report: a `<GPO>` for one backup, `<report>` holding one `<GPO>` per backup for several. */
export function renderSettingsReportXml(elements: readonly string[]): string {
  const declaration = '<?xml version="1.0" encoding="utf-8"?>';
  if (elements.length === 1) return `${declaration}\r\n${elements[0]}\r\n`;
  // Get-GPOReport -All: the root declares the settings namespace; each <GPO> keeps its own declarations.
  return `${declaration}\r\n<report ${SCHEMA_NS} xmlns="${SETTINGS_NS}">\r\n${elements.join('\r\n')}\r\n</report>\r\n`;
}

/** gpreport.xml's text (UTF-16LE with BOM as GPMC writes it, or UTF-8), null when absent. */
function decodeXmlText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

/** The `<GPO>` element of a backup folder's report: its gpreport.xml (read through BackupReader) with settings. */
export async function readGpoReportElement(snapshot: BackupSnapshot): Promise<string> {
  const reader = await BackupReader.open(snapshot.folder);
  const bytes = (await reader.isFile('gpreport.xml')) ? await reader.readXml('gpreport.xml') : null;
  return gpoReportElement(snapshot, bytes === null ? null : decodeXmlText(bytes));
}
