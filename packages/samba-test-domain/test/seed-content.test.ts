import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  ADML_FILE,
  ADMX_FILE,
  ADMX_NAMESPACE,
  COFFER_POLICIES,
  renderAdml,
  renderAdmx,
} from '../src/seed/content/admx.js';
import { AUDIT_CSV_HEADER } from '../src/seed/content/audit-csv.js';
import { buildBaselineGpos, type GeneratedGpo } from '../src/seed/content/baseline-gpos.js';
import { EXTENSIONS, extensionNames } from '../src/seed/content/extensions.js';
import { parseInf } from '../src/seed/content/gpttmpl-inf.js';
import { GPP_ITEM_CLSIDS, GPP_TYPES } from '../src/seed/content/gpp.js';
import {
  decodeRegistryPol,
  deleteAllValues,
  deleteValue,
  encodeRegistryPol,
  REG_BINARY,
  REG_DWORD,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_QWORD,
  REG_SZ,
  type RegistryPolEntry,
} from '../src/seed/content/registry-pol.js';
import * as settings from '../src/seed/content/registry-settings.js';
import { resolveContent, type SeedContext } from '../src/seed/content/text.js';
import { buildSeedPlan } from '../src/seed/seed-plan.js';

const context: SeedContext = {
  domainSid: 'S-1-5-21-1004336348-1177238915-682003330',
  netbiosDomain: 'LAB',
  dnsDomain: 'lab.test',
  groupSids: new Map([
    ['Finance-Users', 'S-1-5-21-1004336348-1177238915-682003330-1105'],
    ['Contractors', 'S-1-5-21-1004336348-1177238915-682003330-1106'],
  ]),
};
const baseline = buildBaselineGpos();
const gpos = Object.values(baseline);
const bytes = (gpo: GeneratedGpo, path: string): Buffer => {
  const file = gpo.files.find((f) => f.path === path);
  if (!file) throw new Error(`${gpo.displayName} has no ${path}`);
  return resolveContent(file.content, context);
};
const utf16 = (buffer: Buffer) => {
  expect([...buffer.subarray(0, 2)], 'UTF-16LE BOM').toEqual([0xff, 0xfe]);
  return buffer.subarray(2).toString('utf16le');
};
const allPol = (side: 'Machine' | 'User'): RegistryPolEntry[] =>
  gpos.flatMap((g) =>
    g.files
      .filter((f) => f.path === `${side}/Registry.pol`)
      .flatMap((f) => decodeRegistryPol(resolveContent(f.content, context))),
  );
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

describe('Registry.pol', () => {
  it('round-trips every value type and both deletion markers', () => {
    const entries: RegistryPolEntry[] = [
      { key: 'K\\Ü', valueName: 'sz', type: REG_SZ, data: 'Zürich – 東京' },
      { key: 'K', valueName: 'expand', type: REG_EXPAND_SZ, data: '%SystemRoot%\\x' },
      { key: 'K', valueName: 'bin', type: REG_BINARY, data: Buffer.from([0, 1, 0xfe, 0xff]) },
      { key: 'K', valueName: 'dword', type: REG_DWORD, data: 0xfffffffe },
      { key: 'K', valueName: 'multi', type: REG_MULTI_SZ, data: ['a', 'b c', 'ü'] },
      { key: 'K', valueName: 'qword', type: REG_QWORD, data: 0x1_0000_0001n },
      deleteValue('K', 'Gone'),
      deleteAllValues('K\\List'),
    ];
    const pol = encodeRegistryPol(entries);
    expect(pol.subarray(0, 8)).toEqual(Buffer.from([0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0]));
    expect(decodeRegistryPol(pol)).toEqual(entries);
    // REG_MULTI_SZ: each string NUL-terminated plus a final NUL; REG_QWORD: 8 bytes little-endian.
    expect(
      pol.includes(
        Buffer.concat([
          Buffer.from([9 * 2, 0, 0, 0]),
          Buffer.from(';', 'utf16le'),
          Buffer.from('a\0b c\0ü\0\0', 'utf16le'),
        ]),
      ),
    ).toBe(true);
    expect(pol.includes(Buffer.from([8, 0, 0, 0, 0x3b, 0, 1, 0, 0, 0, 1, 0, 0, 0]))).toBe(true);
    expect(pol.includes(Buffer.from('**del.Gone\0;', 'utf16le'))).toBe(true);
    expect(() => decodeRegistryPol(Buffer.from('PReg\x02\0\0\0'))).toThrow(/PReg v1/);
  });

  it('the workstation baseline holds 50+ settings of every type; each file decodes to exactly the planned entries', () => {
    const machine = decodeRegistryPol(bytes(baseline.workstation, 'Machine/Registry.pol'));
    expect(machine).toEqual(settings.workstationMachineSettings());
    expect(machine.length).toBeGreaterThanOrEqual(50);
    expect(new Set(machine.map((e) => e.type))).toEqual(
      new Set([REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD]),
    );
    expect(machine.some((e) => e.valueName.startsWith('**del.'))).toBe(true);
    expect(machine.some((e) => e.valueName === '**delvals.')).toBe(true);
    expect(decodeRegistryPol(bytes(baseline.lockdown, 'User/Registry.pol'))).toEqual(settings.lockdownUserSettings());
    const user = settings.lockdownUserSettings();
    expect(new Set(user.map((e) => e.type))).toEqual(
      new Set([REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD]),
    );
  });
});

describe('the generated GPOs', () => {
  it('keep the roles of the corpus GPOs they replace: flags 1 and 2, versions that differ, both halves populated', () => {
    expect(baseline.workstation.flags).toBe(1);
    expect(baseline.lockdown.flags).toBe(2);
    expect(baseline.legacy.flags).toBe(2);
    expect(
      gpos.some((g) => g.machineAdVersion !== g.machineSysvolVersion || g.userAdVersion !== g.userSysvolVersion),
    ).toBe(true);
    for (const gpo of gpos) {
      expect(
        gpo.files.some((f) => f.path.startsWith('Machine/')),
        gpo.displayName,
      ).toBe(true);
      expect(
        gpo.files.some((f) => f.path.startsWith('User/')),
        gpo.displayName,
      ).toBe(true);
      expect(new Set(gpo.files.map((f) => f.path.toLowerCase())).size, `${gpo.displayName}: no case-twin paths`).toBe(
        gpo.files.length,
      );
    }
  });

  it('list exactly the CSE+tool pairs their content needs, sorted as Windows sorts them', () => {
    // A real GPMC-made GPO (the corpus' mixed-CSE backup) stores Groups + Scheduled Tasks like this.
    expect(extensionNames([EXTENSIONS.scheduledTasks, EXTENSIONS.groups])).toBe(
      '[{00000000-0000-0000-0000-000000000000}{79F92669-4224-476C-9C5C-6EFB4D87DF4A}{CAB54552-DEEA-4691-817E-ED4A4D1AFC72}][{17D89FEC-5C44-4972-B12D-241CAEF74509}{79F92669-4224-476C-9C5C-6EFB4D87DF4A}][{AADCED64-746C-4633-A97C-D61349046527}{CAB54552-DEEA-4691-817E-ED4A4D1AFC72}]',
    );
    expect(extensionNames([])).toBeNull();
    const cses = (value: string | null) => [...(value ?? '').matchAll(/\[(\{[0-9A-F-]{36}\})/g)].map((m) => m[1]);
    for (const gpo of gpos) {
      for (const [side, value] of [
        ['Machine', gpo.machineExtensionNames],
        ['User', gpo.userExtensionNames],
      ] as const) {
        const listed = cses(value);
        expect(listed, `${gpo.displayName} ${side}: sorted`).toEqual([...listed].sort());
        const files = gpo.files.filter((f) => f.path.startsWith(`${side}/`));
        const has = (pattern: RegExp) => files.some((f) => pattern.test(f.path));
        expect(listed.includes(EXTENSIONS.registryMachine.cse), `${gpo.displayName} ${side} registry`).toBe(
          has(/^\w+\/Registry\.pol$/),
        );
        expect(listed.includes(EXTENSIONS.security.cse)).toBe(has(/SecEdit\/GptTmpl\.inf$/));
        expect(listed.includes(EXTENSIONS.audit.cse)).toBe(has(/Audit\/audit\.csv$/));
        expect(listed.includes(EXTENSIONS.scriptsMachine.cse)).toBe(has(/Scripts\/(ps)?scripts\.ini$/));
        expect(listed.includes(EXTENSIONS.folderRedirection.cse)).toBe(has(/fdeploy1\.ini$/));
        for (const type of Object.values(GPP_TYPES))
          expect(listed.includes(type.extension.cse), `${gpo.displayName} ${side} ${type.folder}`).toBe(
            has(new RegExp(`Preferences/${type.folder}/`)),
          );
        expect(listed.includes('{00000000-0000-0000-0000-000000000000}')).toBe(has(/\/Preferences\//));
      }
    }
  });

  it('write GptTmpl.inf as SecEdit does: UTF-16LE with BOM, every section, SIDs of built-in and seeded groups', () => {
    for (const gpo of [baseline.workstation, baseline.server]) {
      const text = utf16(bytes(gpo, 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf'));
      expect(text).toMatch(/\r\n$/);
      const inf = parseInf(text);
      const names = [...inf.keys()];
      expect(names[0]).toBe('Unicode');
      expect(names.at(-1)).toBe('Version');
      for (const section of [
        'System Access',
        'Kerberos Policy',
        'Event Audit',
        'Registry Values',
        'Privilege Rights',
        'Group Membership',
        'Service General Setting',
        'Registry Keys',
        'File Security',
      ])
        expect(inf.get(section)?.length, section).toBeGreaterThan(0);
      expect(inf.get('Version')).toEqual([
        { key: 'signature', value: '"$CHICAGO$"' },
        { key: 'Revision', value: '1' },
      ]);
      expect(inf.get('System Access')?.find((l) => l.key === 'MinimumPasswordLength')?.value).toMatch(/^\d+$/);
      for (const line of inf.get('Registry Values') ?? [])
        expect(`${line.key}=${line.value}`).toMatch(/^MACHINE\\[^=]+=[1-7],/);
      const rights = inf.get('Privilege Rights') ?? [];
      expect(rights.find((l) => l.key === 'SeRemoteInteractiveLogonRight')?.value).toBe(
        `*S-1-5-32-544,*${context.groupSids.get('Finance-Users')}`,
      );
      for (const line of rights) expect(line.value).toMatch(/^\*S-1-[\d-]+(,\*S-1-[\d-]+)*$/);
      const groups = inf.get('Group Membership') ?? [];
      expect(groups.map((l) => l.key)).toContain('*S-1-5-32-544__Memberof');
      expect(groups.find((l) => l.key === '*S-1-5-32-544__Members')?.value).toBe(
        `*${context.domainSid}-512,*${context.groupSids.get('Finance-Users')}`,
      );
      for (const section of ['Service General Setting', 'Registry Keys', 'File Security']) {
        for (const line of inf.get(section) ?? [])
          expect(line.key, section).toMatch(/^"[^"]+",\d,"(D:[A-Z]*(\([^()]+\))+)?"$/);
      }
    }
  });

  it('write audit.csv with the Advanced Audit Policy header and consistent rows', () => {
    const text = bytes(baseline.workstation, 'Machine/Microsoft/Windows NT/Audit/audit.csv').toString('utf8');
    const [header, ...rows] = text.trimEnd().split('\r\n');
    expect(header).toBe(AUDIT_CSV_HEADER);
    expect(rows.length).toBeGreaterThan(5);
    const inclusion: Record<string, string> = {
      1: 'Success',
      2: 'Failure',
      3: 'Success and Failure',
      4: 'No Auditing',
    };
    for (const row of rows) {
      const [machine, target, name, guid, include, exclude, value] = row.split(',');
      expect([machine, target, exclude]).toEqual(['', 'System', '']);
      expect(name).toMatch(/^Audit /);
      expect(guid).toMatch(/^\{0cce92[0-9a-f]{2}-69ae-11d9-bed3-505054503030\}$/);
      expect(include).toBe(inclusion[value ?? '']);
    }
  });

  it('write well-formed GPP XML with the MS-GPPREF CLSIDs, item-level targeting included', () => {
    let targeted = 0;
    for (const gpo of gpos) {
      for (const file of gpo.files.filter((f) => f.path.includes('/Preferences/'))) {
        const text = resolveContent(file.content, context).toString('utf8');
        expect(XMLValidator.validate(text), file.path).toBe(true);
        const type = Object.values(GPP_TYPES).find((t) =>
          file.path.endsWith(`/Preferences/${t.folder}/${t.folder}.xml`),
        );
        expect(type, file.path).toBeDefined();
        const doc = xml.parse(text) as Record<string, Array<Record<string, unknown>>>;
        const outer = doc[type?.outer ?? '']?.[0];
        expect(outer?.['@clsid']).toBe(type?.outerClsid);
        const items = Object.entries(outer ?? {}).filter(([name]) => !name.startsWith('@'));
        expect(items.length).toBeGreaterThan(0);
        for (const [tag, list] of items) {
          for (const item of list as Array<Record<string, unknown>>) {
            expect(item['@clsid'], `${file.path} ${tag}`).toBe(GPP_ITEM_CLSIDS[tag as keyof typeof GPP_ITEM_CLSIDS]);
            expect(item['@uid']).toMatch(/^\{[0-9A-F-]{36}\}$/);
            expect(item.Properties).toBeDefined();
            if (item.Filters) targeted += 1;
          }
        }
      }
    }
    expect(targeted).toBeGreaterThanOrEqual(2);
    const drives = bytes(baseline.drives, 'User/Preferences/Drives/Drives.xml').toString('utf8');
    expect(drives).toContain(
      `<FilterGroup bool="AND" not="0" name="LAB\\Finance-Users" sid="${context.groupSids.get('Finance-Users')}"`,
    );
    expect(bytes(baseline.lockdown, 'User/Preferences/Shortcuts/Shortcuts.xml').toString('utf8')).toContain(
      '<FilterOs bool="AND" not="0" class="NT" version="WIN10"',
    );
  });

  it('write scripts.ini, psscripts.ini and fdeploy1.ini in UTF-16LE with BOM, and every script they name', () => {
    for (const [gpo, side, events] of [
      [baseline.workstation, 'Machine', ['Startup', 'Shutdown']],
      [baseline.lockdown, 'User', ['Logon', 'Logoff']],
    ] as const) {
      for (const ini of ['scripts.ini', 'psscripts.ini']) {
        const inf = parseInf(utf16(bytes(gpo, `${side}/Scripts/${ini}`)));
        for (const [event, lines] of inf) {
          if (event === 'ScriptsConfig') continue;
          expect(events).toContain(event);
          for (const line of lines.filter((l) => /^\d+CmdLine$/.test(l.key))) {
            if (line.value.startsWith('\\\\')) continue; // a script on a share, not in the GPT
            expect(
              gpo.files.some((f) => f.path === `${side}/Scripts/${event}/${line.value}`),
              `${side} ${event} ${line.value}`,
            ).toBe(true);
          }
        }
      }
    }
    const fdeploy = parseInf(utf16(bytes(baseline.lockdown, 'User/Documents & Settings/fdeploy1.ini')));
    expect(fdeploy.get('version')).toEqual([{ key: 'version', value: '100' }]);
    const groups = fdeploy.get('Folder_Redirection') ?? [];
    expect(groups.length).toBe(3);
    for (const { key, value } of groups)
      for (const sid of value.split(';').filter(Boolean))
        expect(fdeploy.get(`${key}_${sid}`)?.find((l) => l.key === 'Flags')).toBeDefined();
  });

  it('comment.cmtx files refer to policies of the Coffer ADMX', () => {
    for (const [gpo, path] of [
      [baseline.workstation, 'Machine/comment.cmtx'],
      [baseline.lockdown, 'User/comment.cmtx'],
    ] as const) {
      const text = bytes(gpo, path)
        .toString('utf8')
        .replace(/^\ufeff/, '');
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain(`namespace="${ADMX_NAMESPACE}"`);
      const ref = /policyRef="ns0:([^"]+)"/.exec(text)?.[1];
      expect(COFFER_POLICIES.map((p) => p.name)).toContain(ref);
    }
  });
});

describe('the Coffer ADMX/ADML pair', () => {
  const admx = renderAdmx().toString('utf8');
  const adml = renderAdml().toString('utf8');

  it('is well-formed and goes into the central store', () => {
    expect(XMLValidator.validate(admx)).toBe(true);
    expect(XMLValidator.validate(adml)).toBe(true);
    expect([ADMX_FILE, ADML_FILE]).toEqual(['coffer.admx', 'en-US/coffer.adml']);
    const plan = buildSeedPlan({ baseDn: 'DC=lab,DC=test', dnsDomain: 'lab.test', extraGpos: 0 });
    expect(plan.policyDefinitions.map((f) => f.path)).toEqual(['coffer.admx', 'en-US/coffer.adml']);
    expect(admx).toContain('<target prefix="coffer" namespace="Coffer.Policies" />');
  });

  it('has categories, enabled/disabled values and decimal, text, enum and list elements, all with strings and presentations', () => {
    for (const element of [
      '<category ',
      '<enabledValue>',
      '<disabledValue>',
      '<decimal id=',
      '<text id=',
      '<enum id=',
      '<list id=',
    ])
      expect(admx).toContain(element);
    const stringIds = new Set([...adml.matchAll(/<string id="([^"]+)">/g)].map((m) => m[1]));
    for (const [, id] of admx.matchAll(/\$\(string\.([^)]+)\)/g)) expect(stringIds.has(id), id).toBe(true);
    const presentations = new Set([...adml.matchAll(/<presentation id="([^"]+)">/g)].map((m) => m[1]));
    for (const [, id] of admx.matchAll(/\$\(presentation\.([^)]+)\)/g)) expect(presentations.has(id), id).toBe(true);
    for (const [, refId] of adml.matchAll(/refId="([^"]+)"/g)) expect(admx).toContain(`id="${refId}"`);
  });

  it('describes only registry values the seeded Registry.pol files hold, on the right side', () => {
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (name) => ['policy', 'decimal', 'text', 'enum', 'list'].includes(name),
    }).parse(admx) as {
      policyDefinitions: { policies: { policy: Array<Record<string, unknown>> } };
    };
    const policies = doc.policyDefinitions.policies.policy;
    expect(policies.length).toBe(COFFER_POLICIES.length);
    for (const policy of policies) {
      const side = policy['@class'] === 'User' ? 'User' : 'Machine';
      const pol = allPol(side);
      const holds = (key: string, valueName: string) =>
        pol.some((e) => e.key === key && (e.valueName === valueName || e.valueName === `**del.${valueName}`));
      const key = String(policy['@key']);
      if (policy['@valueName']) expect(holds(key, String(policy['@valueName'])), `${policy['@name']}`).toBe(true);
      const elements = (policy.elements ?? {}) as Record<string, Array<Record<string, unknown>>>;
      for (const kind of ['decimal', 'text', 'enum'])
        for (const e of elements[kind] ?? [])
          expect(holds(key, String(e['@valueName'])), `${policy['@name']}.${e['@id']}`).toBe(true);
      for (const list of elements.list ?? []) {
        const listKey = String(list['@key']);
        expect(pol.some((e) => e.key === listKey && e.valueName === '**delvals.')).toBe(true);
        expect(pol.some((e) => e.key === listKey && e.valueName === `${list['@valuePrefix']}1`)).toBe(true);
      }
    }
  });
});
