/**
 * gpmc's one-pass XML reader (src/xml/xml-scanner.ts): what it refuses, what it builds, and, over every XML file of
 * the GPMC corpus, that its tree is the one core's parseXmlDocument (fast-xml-parser behind a validator) builds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseXmlDocument as coreParse } from '@coffer/core';
import { corpusDir, describeCorpus } from '@coffer/test-support';
import { describe, expect, it } from 'vitest';
import { parseGpReportXml } from '../src/index.js';
import { parseBackupXmlCore } from '../src/read/parse-backup-xml.js';
import { checkXmlWellFormed, scanXmlDocument } from '../src/xml/xml-scanner.js';

const options = { malformedCode: 'TEST_MALFORMED', hint: 'test' };
const scan = (text: string | Uint8Array) => scanXmlDocument(text, 'doc.xml', options);

describe('the one-pass XML reader', () => {
  it.each([
    ['an unclosed root', '<a>'],
    ['a mismatched end tag', '<a><b></a></b>'],
    ['an end tag that closes nothing', '<a></a></a>'],
    ['two roots', '<a/><b/>'],
    ['text before the root', 'x<a/>'],
    ['text after the root', '<a/>x'],
    ['a repeated attribute', '<a x="1" x="2"/>'],
    ['an unquoted attribute value', '<a x=1/>'],
    ["'<' inside an attribute value", '<a x="<"/>'],
    ['attributes without space between them', '<a b="1"c="2"/>'],
    ['a name starting with a digit', '<1a/>'],
    ['an undeclared entity', '<a>&nbsp;</a>'],
    ["'&' not starting a reference", '<a>AT&T</a>'],
    ['a reference to NUL', '<a>&#0;</a>'],
    ['a reference to a lone surrogate', '<a x="&#xD800;"/>'],
    ["'--' inside a comment", '<a><!-- a -- b --></a>'],
    ["']]>' in text", '<a>]]></a>'],
    ['an XML declaration after the start', ' <?xml version="1.0"?><a/>'],
    ['an XML declaration inside the root', '<a><?xml version="1.0"?></a>'],
    ['a control character', '<a>\u0001</a>'],
    ['an unclosed CDATA section', '<a><![CDATA[x</a>'],
    ['an unclosed start tag', '<a b="1"'],
    ['no root at all', '  '],
    ['elements nested 300 deep', `${'<a>'.repeat(300)}${'</a>'.repeat(300)}`],
  ])('refuses %s', (_why, text) => {
    expect(() => scan(text)).toThrow(expect.objectContaining({ code: 'TEST_MALFORMED', object: 'doc.xml' }));
  });

  it('checks a tag of many attributes for repeats in linear time', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `a${i}="${i}"`).join(' ');
    const started = performance.now();
    expect(Object.keys(scan(`<r ${many}/>`).attributes)).toHaveLength(100_000);
    expect(() => scan(`<r ${many} a99999="again"/>`)).toThrow(/the attribute a99999 is repeated/);
    // Quadratic (a list searched per attribute) takes tens of seconds here; linear well under one.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses a DOCTYPE through core, before scanning', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>';
    expect(() => scan(bomb)).toThrow(expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED' }));
    expect(() => checkXmlWellFormed(bomb, 'doc.xml', options)).toThrow(
      expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED' }),
    );
  });

  it('names the line of the fault', () => {
    expect(() => scan('<a>\n<b>\n</c></a>')).toThrow(/<\/c> closes <b> \(line 3\)/);
  });

  it('builds local names, drops xmlns attributes, decodes references and reads CR LF as LF', () => {
    const root = scan(
      '<?xml version="1.0" encoding="utf-8"?>\r\n<!-- c --><p:a xmlns:p="urn:p" xmlns="urn:d" p:x="1 &amp; 2" y=\'&#65;&#x42;\'>' +
        'one\r\n<b>&lt;two&gt;</b><![CDATA[<three>]]><?pi x?><c/></p:a><!-- after -->',
    );
    expect(root).toEqual({
      name: 'a',
      attributes: { x: '1 & 2', y: 'AB' },
      text: 'one\n<three>',
      children: [
        { name: 'b', attributes: {}, children: [], text: '<two>' },
        { name: 'c', attributes: {}, children: [], text: '' },
      ],
    });
  });

  it('reads a lone CR and CR LF as LF in text, CDATA and attribute values, and keeps a CR written as &#13;', () => {
    const text =
      '<a x="1\r\n2\r3" y="&#13;\r">\r\n  one\rtwo\r\n<b>\r\n</b><![CDATA[c\r\nd\re]]>&#13;\r<!-- \r\n -->f\r</a>\r\n';
    const root = scan(text);
    expect(root.attributes).toEqual({ x: '1\n2\n3', y: '\r\n' });
    expect(root.text).toBe('\n  one\ntwo\nc\nd\ne\r\nf\n');
    expect(root.children[0]!.text).toBe('\n');
  });

  it('counts CR LF, a lone CR and LF each as one line break when naming the line of a fault', () => {
    expect(() => scan('<a>\r\n<b>\r</b>\n\r\n</c></a>')).toThrow(/<\/c> closes <a> \(line 5\)/);
  });

  it('decodes UTF-16 by its byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')]);
    expect(scan(bytes).text).toBe('é');
  });

  it('checks skipped elements but does not build them', () => {
    const skip = (name: string) => name === 'big';
    expect(scanXmlDocument('<a><big><x/>text</big><small/></a>', 'doc.xml', { ...options, skip })).toEqual({
      name: 'a',
      attributes: {},
      text: '',
      children: [{ name: 'small', attributes: {}, children: [], text: '' }],
    });
    expect(() => scanXmlDocument('<a><big><x></big><small/></a>', 'doc.xml', { ...options, skip })).toThrow(
      expect.objectContaining({ code: 'TEST_MALFORMED' }),
    );
    expect(() => scanXmlDocument('<a><big>&bogus;</big></a>', 'doc.xml', { ...options, skip })).toThrow(
      expect.objectContaining({ code: 'TEST_MALFORMED' }),
    );
  });

  it('reads the facts of a gpreport.xml whose settings part is damaged as a malformed file, not as facts', () => {
    const report = (extension: string) =>
      `<GPO><Name>N</Name><Computer><ExtensionData>${extension}<Name>Registry</Name></ExtensionData></Computer></GPO>`;
    expect(
      parseGpReportXml(report('<Extension><q1:Setting>1</q1:Setting></Extension>')).computer.extensionNames,
    ).toEqual(['Registry']);
    expect(() => parseGpReportXml(report('<Extension><q1:Setting>1</Extension>'))).toThrow(
      expect.objectContaining({ code: 'GPMC_FILE_MALFORMED' }),
    );
  });

  it('reads Backup.xml core settings alone, still checking the whole file', () => {
    const backup = (inventory: string) =>
      `<GroupPolicyBackupScheme><GroupPolicyObject>${inventory}<GroupPolicyCoreSettings><ID>{X}</ID><Options>1</Options></GroupPolicyCoreSettings></GroupPolicyObject></GroupPolicyBackupScheme>`;
    expect(parseBackupXmlCore(backup('<FilePaths><Path>a</Path></FilePaths>'))).toMatchObject({
      id: '{X}',
      options: 1,
    });
    expect(() => parseBackupXmlCore(backup('<FilePaths><Path>a</FilePaths>'))).toThrow(
      expect.objectContaining({ code: 'GPMC_FILE_MALFORMED' }),
    );
  });
});

describeCorpus('the one-pass XML reader over the GPMC corpus', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(xml|admx|adml)$/i.test(entry.name)) files.push(path);
    }
  };
  walk(corpusDir());

  it('builds the tree core builds, for every XML file', () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(scan(bytes), file).toEqual(coreParse(bytes, file));
    }
  });
});
