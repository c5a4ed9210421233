import { describe, expect, it } from 'vitest';
import { parseLocalizedTemplate, resolveLocalized } from '../../src/template/localized-template.js';
import {
  parseStarterGpoTemplate,
  parseTemplateTime,
  renderStarterGpoTemplate,
  withTemplateField,
} from '../../src/template/starter-gpo-template.js';
import { encodeXml } from '@coffer/gpmc';

const NS = 'http://www.microsoft.com/GroupPolicy/GPOOperations/StarterGPO';

const SEEDED_SHAPE = [
  '<?xml version="1.0" encoding="utf-8"?>',
  `<StarterGPO xmlns="${NS}" version="1.0">`,
  '  <DisplayName>Baseline &amp; Co — Ünïcødé</DisplayName>',
  '  <Description>Line one</Description>',
  '  <Author>Contoso IT</Author>',
  '  <Product>Windows</Product>',
  '  <CreationTime>2024-05-17T13:45:30</CreationTime>',
  '  <ModifiedTime>2024-06-01T08:00:00Z</ModifiedTime>',
  '  <ID>{0CC42745-34A0-4C7E-ACFA-37CE56B13706}</ID>',
  '  <Type>1</Type>',
  '  <ComputerVersion>3</ComputerVersion>',
  '  <UserVersion>7</UserVersion>',
  '  <StarterGPOVersion>1.0</StarterGPOVersion>',
  '</StarterGPO>',
  '',
].join('\r\n');

const WITH_UNKNOWN_PARTS = [
  '<?xml version="1.0" encoding="utf-8"?>',
  '<!-- written by a future GPMC -->',
  `<sg:StarterGPO xmlns:sg="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" schemaRevision='2.1' Author="From an attribute">`,
  '  <sg:Name><![CDATA[Has ]]]]><![CDATA[> and <tags>]]></sg:Name>',
  '  <sg:Type>System</sg:Type>',
  '  <sg:Future attr="a &gt; b">  keep   me  </sg:Future>',
  '  <sg:Nested><sg:Inner x="1"/><!-- c --></sg:Nested>',
  '  <sg:Empty/>',
  '  <sg:ComputerVersion>0x10</sg:ComputerVersion>',
  '</sg:StarterGPO>',
].join('\n');

describe('StarterGPO.tmplx parser', () => {
  it('reads every identity field of the seeded shape', () => {
    const template = parseStarterGpoTemplate(Buffer.from(SEEDED_SHAPE));
    expect(template).toMatchObject({
      id: '{0CC42745-34A0-4C7E-ACFA-37CE56B13706}',
      displayName: 'Baseline & Co — Ünïcødé',
      description: 'Line one',
      author: 'Contoso IT',
      product: 'Windows',
      creationTime: '2024-05-17T13:45:30',
      modifiedTime: '2024-06-01T08:00:00Z',
      type: 'Custom',
      computerVersion: 3,
      userVersion: 7,
      starterGpoVersion: '1.0',
      unknownElements: [],
    });
    expect(template.unknownAttributes).toEqual([{ name: 'version', value: '1.0' }]);
  });

  it('keeps unknown elements and attributes, and renders the file back byte for byte', () => {
    for (const text of [SEEDED_SHAPE, WITH_UNKNOWN_PARTS]) {
      const bytes = Buffer.from(text);
      expect(renderStarterGpoTemplate(parseStarterGpoTemplate(bytes)).equals(bytes)).toBe(true);
    }
    const template = parseStarterGpoTemplate(Buffer.from(WITH_UNKNOWN_PARTS));
    expect(template.displayName).toBe('Has ]]> and <tags>');
    expect(template.type).toBe('System');
    expect(template.author).toBe('From an attribute');
    expect(template.computerVersion).toBe(16);
    expect(template.unknownElements.map((e) => e.name)).toEqual(['sg:Future', 'sg:Nested', 'sg:Empty']);
    expect(template.unknownElements[0]!.raw).toBe('<sg:Future attr="a &gt; b">  keep   me  </sg:Future>');
    expect(template.unknownAttributes.map((a) => a.name)).toEqual(['schemaRevision']);
  });

  it('changes one field in place and leaves every other byte alone', () => {
    const template = parseStarterGpoTemplate(Buffer.from(WITH_UNKNOWN_PARTS));
    const renamed = withTemplateField(template, 'displayName', 'New <name>');
    const text = renderStarterGpoTemplate(renamed).toString('utf8');
    expect(renamed.displayName).toBe('New <name>');
    expect(text).toBe(WITH_UNKNOWN_PARTS.replace(/<sg:Name>.*<\/sg:Name>/, '<sg:Name>New &lt;name&gt;</sg:Name>'));
    const added = withTemplateField(template, 'userVersion', '4');
    expect(added.userVersion).toBe(4);
    expect(renderStarterGpoTemplate(added).toString('utf8')).toContain(
      '<sg:ComputerVersion>0x10</sg:ComputerVersion>\n  <sg:UserVersion>4</sg:UserVersion>\n</sg:StarterGPO>',
    );
  });

  it('reads UTF-16 files with a byte-order mark and writes them back in UTF-16', () => {
    const bytes = encodeXml(SEEDED_SHAPE.replace('utf-8', 'utf-16'), 'utf-16le');
    const template = parseStarterGpoTemplate(bytes);
    expect(template.displayName).toBe('Baseline & Co — Ünïcødé');
    expect(renderStarterGpoTemplate(template).equals(bytes)).toBe(true);
  });

  it('gives null for absent fields and rejects broken XML with MALFORMED_XML', () => {
    const minimal = parseStarterGpoTemplate(Buffer.from('<StarterGPO/>'));
    expect(minimal).toMatchObject({ id: null, displayName: null, type: null, computerVersion: null });
    expect(() => parseStarterGpoTemplate(Buffer.from('<StarterGPO><DisplayName>x</StarterGPO>'))).toThrow(
      expect.objectContaining({ code: 'MALFORMED_XML', hresult: 0x8007000d }),
    );
  });

  it('reads ISO and FILETIME times', () => {
    expect(parseTemplateTime('2024-05-17T13:45:30')?.toISOString()).toBe('2024-05-17T13:45:30.000Z');
    expect(parseTemplateTime('2024-05-17T13:45:30+02:00')?.toISOString()).toBe('2024-05-17T11:45:30.000Z');
    expect(parseTemplateTime('133604271300000000')?.toISOString()).toBe('2024-05-17T13:45:30.000Z');
    expect(parseTemplateTime('yesterday')).toBeUndefined();
  });
});

describe('localised StarterGPO.tmpll', () => {
  const stringTable = Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?><StarterGPOResources xmlns="${NS}"><resources><stringTable>` +
      '<string id="DisplayName">Windows Baseline (en)</string><string id="Desc">A &amp; B</string>' +
      '</stringTable></resources></StarterGPOResources>',
  );
  const plain = Buffer.from(
    `<StarterGPOResources xmlns="${NS}" language="de-DE"><DisplayName>Grundlage</DisplayName><Description>Beschreibung</Description></StarterGPOResources>`,
  );

  it('resolves $(string.id) references, preferring en-US', () => {
    const en = parseLocalizedTemplate(stringTable, 'en-US', 'en-US/StarterGPO.tmpll');
    const de = parseLocalizedTemplate(plain, 'de-DE', 'de-DE/StarterGPO.tmpll');
    expect(en.strings).toEqual({ DisplayName: 'Windows Baseline (en)', Desc: 'A & B' });
    expect(resolveLocalized('$(string.DisplayName)', 'displayName', [de, en])).toBe('Windows Baseline (en)');
    expect(resolveLocalized('$(string.Desc)', 'description', [de, en])).toBe('A & B');
    expect(resolveLocalized('Literal', 'displayName', [de, en])).toBe('Literal');
    expect(resolveLocalized(null, 'displayName', [de])).toBe('Grundlage');
    expect(resolveLocalized('$(string.Missing)', 'displayName', [de, en])).toBe('$(string.Missing)');
  });
});
