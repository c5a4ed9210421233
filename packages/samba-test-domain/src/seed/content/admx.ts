import { escapeXml } from '../starter-gpo-files.js';
import {
  deleteAllValues,
  deleteValue,
  REG_DWORD,
  REG_EXPAND_SZ,
  REG_SZ,
  type RegistryPolEntry,
} from './registry-pol.js';

/**
 * The project's own administrative template (`coffer.admx` + `en-US/coffer.adml`, namespace Coffer.Policies),
 * written into the domain's central store. Each policy here also says which Registry.pol entries it stands for
 * when set, so the seeded GPOs hold exactly what the template describes.
 */
export const ADMX_NAMESPACE = 'Coffer.Policies';
export const ADMX_FILE = 'coffer.admx';
export const ADML_FILE = 'en-US/coffer.adml';

type Element =
  | { kind: 'decimal'; id: string; valueName: string; min: number; max: number; label: string; value: number }
  | { kind: 'text'; id: string; valueName: string; expandable: boolean; label: string; value: string }
  | {
      kind: 'enum';
      id: string;
      valueName: string;
      label: string;
      items: Array<{ id: string; text: string; value: number }>;
      value: number;
    }
  | { kind: 'list'; id: string; key: string; valuePrefix: string; label: string; values: string[] };

export interface AdmxPolicy {
  name: string;
  class: 'Machine' | 'User';
  category: 'Coffer' | 'CofferAgent' | 'CofferDesktop';
  displayName: string;
  explain: string;
  key: string;
  /** The policy's own value (enabled/disabled decimal), if it has one. */
  valueName?: string;
  elements?: Element[];
  /** How the seeded GPO sets it. */
  state: 'enabled' | 'disabled';
}

const AGENT = 'Software\\Policies\\Coffer\\Agent';
const DESKTOP = 'Software\\Policies\\Coffer\\Desktop';

export const COFFER_POLICIES: AdmxPolicy[] = [
  {
    name: 'EnableAgent',
    class: 'Machine',
    category: 'CofferAgent',
    displayName: 'Run the Coffer backup agent',
    explain: 'Starts the Coffer backup agent on this computer.',
    key: AGENT,
    valueName: 'Enabled',
    state: 'enabled',
  },
  {
    name: 'BackupTarget',
    class: 'Machine',
    category: 'CofferAgent',
    displayName: 'Backup target and retention',
    explain: 'Where the agent sends backups, how long they are kept and how much it copies.',
    key: AGENT,
    state: 'enabled',
    elements: [
      {
        kind: 'text',
        id: 'Server',
        valueName: 'Server',
        expandable: false,
        label: 'Backup server:',
        value: 'backup01.coffer.test',
      },
      {
        kind: 'decimal',
        id: 'RetentionDays',
        valueName: 'RetentionDays',
        min: 1,
        max: 3650,
        label: 'Keep backups for (days):',
        value: 90,
      },
      {
        kind: 'enum',
        id: 'Mode',
        valueName: 'Mode',
        label: 'Backup mode:',
        items: [
          { id: 'Mode_Full', text: 'Full every time', value: 0 },
          { id: 'Mode_Incremental', text: 'Incremental', value: 1 },
          { id: 'Mode_Mirror', text: 'Mirror', value: 2 },
        ],
        value: 1,
      },
      {
        kind: 'text',
        id: 'LogFolder',
        valueName: 'LogFolder',
        expandable: true,
        label: 'Log folder:',
        value: '%ProgramData%\\Coffer\\Logs',
      },
    ],
  },
  {
    name: 'IncludedPaths',
    class: 'Machine',
    category: 'CofferAgent',
    displayName: 'Folders to back up',
    explain: 'Each entry is a folder the agent includes.',
    key: `${AGENT}\\IncludedPaths`,
    state: 'enabled',
    elements: [
      {
        kind: 'list',
        id: 'Paths',
        key: `${AGENT}\\IncludedPaths`,
        valuePrefix: 'Path',
        label: 'Folders:',
        values: ['%USERPROFILE%\\Documents', 'D:\\Projects', '\\\\files.coffer.test\\shared\\Finanzen – 2025'],
      },
    ],
  },
  {
    name: 'ShowTrayIcon',
    class: 'User',
    category: 'CofferDesktop',
    displayName: 'Show the Coffer tray icon',
    explain: 'Shows the backup status icon in the notification area.',
    key: DESKTOP,
    valueName: 'ShowTrayIcon',
    state: 'enabled',
  },
  {
    name: 'AllowRestoreByUser',
    class: 'User',
    category: 'CofferDesktop',
    displayName: 'Let users restore their own files',
    explain: 'Users may restore files from their own backups.',
    key: DESKTOP,
    valueName: 'AllowRestore',
    state: 'disabled',
  },
];

/** Registry.pol entries of the policies of one class, as the Group Policy editor writes them for their state. */
export function admxRegistryEntries(policyClass: 'Machine' | 'User'): RegistryPolEntry[] {
  const out: RegistryPolEntry[] = [];
  for (const policy of COFFER_POLICIES.filter((p) => p.class === policyClass)) {
    if (policy.valueName) {
      // With enabled/disabled values the editor writes the decimal either way.
      out.push({
        key: policy.key,
        valueName: policy.valueName,
        type: REG_DWORD,
        data: policy.state === 'enabled' ? 1 : 0,
      });
    }
    for (const element of policy.elements ?? []) {
      if (policy.state === 'disabled') {
        if (element.kind !== 'list') out.push(deleteValue(policy.key, element.valueName));
        continue;
      }
      if (element.kind === 'decimal' || element.kind === 'enum')
        out.push({ key: policy.key, valueName: element.valueName, type: REG_DWORD, data: element.value });
      else if (element.kind === 'text')
        out.push({
          key: policy.key,
          valueName: element.valueName,
          type: element.expandable ? REG_EXPAND_SZ : REG_SZ,
          data: element.value,
        });
      else {
        out.push(deleteAllValues(element.key));
        element.values.forEach((value, index) => {
          out.push({ key: element.key, valueName: `${element.valuePrefix}${index + 1}`, type: REG_SZ, data: value });
        });
      }
    }
  }
  return out;
}

const XMLNS = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const SCHEMA =
  'revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"';

export function renderAdmx(): Buffer {
  const policy = (p: AdmxPolicy) => {
    const hasElements = (p.elements ?? []).length > 0;
    const head = `    <policy name="${p.name}" class="${p.class}" displayName="$(string.${p.name})" explainText="$(string.${p.name}_Help)"${hasElements ? ` presentation="$(presentation.${p.name})"` : ''} key="${escapeXml(p.key)}"${p.valueName ? ` valueName="${p.valueName}"` : ''}>`;
    const lines = [
      head,
      `      <parentCategory ref="${p.category}" />`,
      '      <supportedOn ref="SUPPORTED_Coffer1" />',
    ];
    if (p.valueName)
      lines.push(
        '      <enabledValue>',
        '        <decimal value="1" />',
        '      </enabledValue>',
        '      <disabledValue>',
        '        <decimal value="0" />',
        '      </disabledValue>',
      );
    if (hasElements) {
      lines.push('      <elements>');
      for (const e of p.elements ?? []) {
        if (e.kind === 'decimal')
          lines.push(
            `        <decimal id="${e.id}" valueName="${e.valueName}" minValue="${e.min}" maxValue="${e.max}" />`,
          );
        else if (e.kind === 'text')
          lines.push(
            `        <text id="${e.id}" valueName="${e.valueName}"${e.expandable ? ' expandable="true"' : ''} required="true" />`,
          );
        else if (e.kind === 'enum') {
          lines.push(`        <enum id="${e.id}" valueName="${e.valueName}" required="true">`);
          for (const item of e.items)
            lines.push(
              `          <item displayName="$(string.${item.id})">`,
              '            <value>',
              `              <decimal value="${item.value}" />`,
              '            </value>',
              '          </item>',
            );
          lines.push('        </enum>');
        } else lines.push(`        <list id="${e.id}" key="${escapeXml(e.key)}" valuePrefix="${e.valuePrefix}" />`);
      }
      lines.push('      </elements>');
    }
    lines.push('    </policy>');
    return lines.join('\r\n');
  };
  const text = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<policyDefinitions ${XMLNS} ${SCHEMA}>`,
    '  <policyNamespaces>',
    `    <target prefix="coffer" namespace="${ADMX_NAMESPACE}" />`,
    '  </policyNamespaces>',
    '  <resources minRequiredRevision="1.0" />',
    '  <supportedOn>',
    '    <definitions>',
    '      <definition name="SUPPORTED_Coffer1" displayName="$(string.SUPPORTED_Coffer1)" />',
    '    </definitions>',
    '  </supportedOn>',
    '  <categories>',
    '    <category name="Coffer" displayName="$(string.Coffer)" />',
    '    <category name="CofferAgent" displayName="$(string.CofferAgent)">',
    '      <parentCategory ref="Coffer" />',
    '    </category>',
    '    <category name="CofferDesktop" displayName="$(string.CofferDesktop)">',
    '      <parentCategory ref="Coffer" />',
    '    </category>',
    '  </categories>',
    '  <policies>',
    ...COFFER_POLICIES.map(policy),
    '  </policies>',
    '</policyDefinitions>',
    '',
  ].join('\r\n');
  return Buffer.from(text, 'utf8');
}

export function renderAdml(): Buffer {
  const strings: Array<[string, string]> = [
    ['Coffer', 'Coffer'],
    ['CofferAgent', 'Backup agent'],
    ['CofferDesktop', 'Desktop'],
    ['SUPPORTED_Coffer1', 'Coffer 1.0 or later'],
  ];
  const presentations: string[] = [];
  for (const p of COFFER_POLICIES) {
    strings.push([p.name, p.displayName], [`${p.name}_Help`, p.explain]);
    if (!p.elements) continue;
    const controls = p.elements.map((e) => {
      if (e.kind === 'decimal')
        return `        <decimalTextBox refId="${e.id}" defaultValue="${e.value}">${escapeXml(e.label)}</decimalTextBox>`;
      if (e.kind === 'text')
        return `        <textBox refId="${e.id}">\r\n          <label>${escapeXml(e.label)}</label>\r\n        </textBox>`;
      if (e.kind === 'enum') {
        for (const item of e.items) strings.push([item.id, item.text]);
        return `        <dropdownList refId="${e.id}" noSort="true" defaultItem="0">${escapeXml(e.label)}</dropdownList>`;
      }
      return `        <listBox refId="${e.id}">${escapeXml(e.label)}</listBox>`;
    });
    presentations.push(`      <presentation id="${p.name}">`, ...controls, '      </presentation>');
  }
  const text = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<policyDefinitionResources ${XMLNS} ${SCHEMA}>`,
    '  <displayName>Coffer</displayName>',
    '  <description>Coffer backup agent settings</description>',
    '  <resources>',
    '    <stringTable>',
    ...strings.map(([id, value]) => `      <string id="${id}">${escapeXml(value)}</string>`),
    '    </stringTable>',
    '    <presentationTable>',
    ...presentations,
    '    </presentationTable>',
    '  </resources>',
    '</policyDefinitionResources>',
    '',
  ].join('\r\n');
  return Buffer.from(text, 'utf8');
}
