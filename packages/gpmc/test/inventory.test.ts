import { describe, expect, it } from 'vitest';
import {
  buildExtensionInventory,
  buildGptTree,
  compareNamesLikeNtfs,
  CSE,
  renderBackupXml,
  type FsObject,
} from '../src/index.js';
import { sampleModel, UNC } from './fixtures.js';

const securityNames = `[${CSE.Security}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]`;
const paths = (objects: FsObject[]) => objects.map((object) => `${object.kind}:${object.path}`);

describe('GPT tree order', () => {
  it('sorts names by their upper-case form, code unit by code unit, like NTFS', () => {
    const names = ['b', 'Z', '_x', 'a', 'A1', 'fdeploy1.ini', 'fdeploy.ini'];
    expect([...names].sort(compareNamesLikeNtfs)).toEqual(['a', 'A1', 'b', 'fdeploy.ini', 'fdeploy1.ini', 'Z', '_x']);
  });

  it('adds folders implied by files and keeps a path listed twice once', () => {
    const tree = buildGptTree([
      { path: 'Machine\\Preferences\\Groups\\Groups.xml', kind: 'file' },
      { path: 'machine/preferences', kind: 'dir' },
    ]);
    expect(tree.children.map((c) => c.name)).toEqual(['Machine']);
    expect(tree.children[0]!.children[0]!.name).toBe('Preferences');
  });

  it('rejects a path that is both a file and a folder', () => {
    expect(() =>
      buildGptTree([
        { path: 'Machine/a', kind: 'file' },
        { path: 'Machine/a/b', kind: 'file' },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('extension inventory', () => {
  it('walks depth-first, pre-order; lists every folder, even empty or fully claimed ones; skips GPT.INI, Adm, Machine and User themselves', () => {
    const inventory = buildExtensionInventory(
      sampleModel({
        machineExtensionNames: securityNames,
        gptTree: [
          { path: 'GPT.INI', kind: 'file' },
          { path: 'Adm/system.adm', kind: 'file' },
          { path: 'GPO.cmt', kind: 'file' },
          { path: 'Machine/registry.pol', kind: 'file' },
          { path: 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf', kind: 'file' },
          { path: 'Machine/Applications', kind: 'dir' },
          { path: 'Machine/comment.cmtx', kind: 'file' },
          { path: 'User/Scripts/Logon', kind: 'dir' },
        ],
      }),
    );
    expect(paths(inventory.unknown.objects)).toEqual([
      'file:%GPO_FSPATH%\\GPO.cmt',
      'dir:%GPO_MACH_FSPATH%\\Applications',
      'file:%GPO_MACH_FSPATH%\\comment.cmtx',
      'dir:%GPO_MACH_FSPATH%\\Microsoft',
      'dir:%GPO_MACH_FSPATH%\\Microsoft\\Windows NT',
      'dir:%GPO_MACH_FSPATH%\\Microsoft\\Windows NT\\SecEdit',
      'dir:%GPO_USER_FSPATH%\\Scripts',
      'dir:%GPO_USER_FSPATH%\\Scripts\\Logon',
    ]);
    expect(inventory.registry.machine?.location).toBe('DomainSysvol\\GPO\\Machine\\registry.pol');
    expect(inventory.registry.user).toBeNull();
    expect(inventory.registry.adm).toEqual({
      kind: 'file',
      path: '%GPO_FSPATH%\\Adm\\*.*',
      sourceExpandedPath: `${UNC}\\Adm\\*.*`,
    });
  });

  it('claims GptTmpl.inf for Security only when the machine side lists the Security CSE, with the template spelling', () => {
    const tree = [{ path: 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf', kind: 'file' as const }];
    const listed = buildExtensionInventory(sampleModel({ machineExtensionNames: securityNames, gptTree: tree }));
    expect(listed.slots[4]).toEqual({
      id: CSE.Security,
      descName: 'Security',
      objects: [
        {
          kind: 'file',
          path: '%GPO_MACH_FSPATH%\\microsoft\\windows nt\\SecEdit\\GptTmpl.inf',
          sourceExpandedPath: `${UNC}\\Machine\\microsoft\\windows nt\\SecEdit\\GptTmpl.inf`,
          reEvaluateFunction: 'SecurityValidateSettings',
          location: 'DomainSysvol\\GPO\\Machine\\microsoft\\windows nt\\SecEdit\\GptTmpl.inf',
        },
      ],
    });
    expect(paths(listed.unknown.objects)).not.toContain(
      'file:%GPO_MACH_FSPATH%\\Microsoft\\Windows NT\\SecEdit\\GptTmpl.inf',
    );

    const unlisted = buildExtensionInventory(sampleModel({ userExtensionNames: securityNames, gptTree: tree }));
    expect(unlisted.slots.every((slot) => slot === null)).toBe(true);
    expect(paths(unlisted.unknown.objects)).toContain(
      'file:%GPO_MACH_FSPATH%\\Microsoft\\Windows NT\\SecEdit\\GptTmpl.inf',
    );
  });

  it("treats Samba's upper-case MACHINE and USER folders as the sides, and writes GPMC's spelling", () => {
    const inventory = buildExtensionInventory(
      sampleModel({
        gptTree: [
          { path: 'MACHINE/Registry.pol', kind: 'file' },
          { path: 'USER/comment.cmtx', kind: 'file' },
        ],
      }),
    );
    expect(inventory.registry.machine).toEqual({
      kind: 'file',
      path: '%GPO_MACH_FSPATH%\\registry.pol',
      sourceExpandedPath: `${UNC}\\Machine\\registry.pol`,
      location: 'DomainSysvol\\GPO\\Machine\\registry.pol',
    });
    expect(inventory.unknown.objects).toEqual([
      {
        kind: 'file',
        path: '%GPO_USER_FSPATH%\\comment.cmtx',
        sourceExpandedPath: `${UNC}\\User\\comment.cmtx`,
        location: 'DomainSysvol\\GPO\\User\\comment.cmtx',
      },
    ]);
  });

  it('gives Folder Redirection a Documents & Settings wildcard re-evaluated by FRValidateSettings (structure unverified)', () => {
    const inventory = buildExtensionInventory(
      sampleModel({
        userExtensionNames: `[${CSE.FolderRedirection}{88E729D6-BDC1-11D1-BD2A-00C04FB9603F}]`,
        gptTree: [
          { path: 'User/Documents & Settings/fdeploy1.ini', kind: 'file' },
          { path: 'User/Documents & Settings/fdeploy.ini', kind: 'file' },
        ],
      }),
    );
    const block = inventory.slots.find((slot) => slot?.id === CSE.FolderRedirection)!;
    expect(block.objects[0]).toMatchObject({
      path: '%GPO_USER_FSPATH%\\Documents & Settings\\*',
      reEvaluateFunction: 'FRValidateSettings',
    });
    expect(block.objects[0]!.location).toBeUndefined();
    expect(block.objects[0]!.children!.map((c) => c.path)).toEqual([
      '%GPO_USER_FSPATH%\\Documents & Settings\\fdeploy.ini',
      '%GPO_USER_FSPATH%\\Documents & Settings\\fdeploy1.ini',
    ]);
    expect(paths(inventory.unknown.objects)).toEqual(['dir:%GPO_USER_FSPATH%\\Documents & Settings']);
    expect(
      renderBackupXml(
        sampleModel({
          userExtensionNames: `[${CSE.FolderRedirection}{88E729D6-BDC1-11D1-BD2A-00C04FB9603F}]`,
          gptTree: [{ path: 'User/Documents & Settings/fdeploy1.ini', kind: 'file' }],
        }),
      ).toString(),
    ).toContain('bkp:Path="%GPO_USER_FSPATH%\\Documents &amp; Settings\\*"');
  });

  it('gives Scripts the ini files and the four script folder wildcards (structure unverified)', () => {
    const inventory = buildExtensionInventory(
      sampleModel({
        machineExtensionNames: `[${CSE.Scripts}{40B6664F-4972-11D1-A7CA-0000F87571E3}]`,
        gptTree: [
          { path: 'Machine/Scripts/scripts.ini', kind: 'file' },
          { path: 'Machine/Scripts/Startup/run.cmd', kind: 'file' },
          { path: 'Machine/Scripts/Shutdown', kind: 'dir' },
        ],
      }),
    );
    const block = inventory.slots.find((slot) => slot?.id === CSE.Scripts)!;
    expect(block.objects.map((o) => o.path)).toEqual([
      '%GPO_MACH_FSPATH%\\Scripts\\scripts.ini',
      '%GPO_MACH_FSPATH%\\Scripts\\Startup\\*',
      '%GPO_MACH_FSPATH%\\Scripts\\Shutdown\\*',
      '%GPO_USER_FSPATH%\\Scripts\\Logon\\*',
      '%GPO_USER_FSPATH%\\Scripts\\Logoff\\*',
    ]);
    expect(block.objects[1]!.children!.map((c) => c.location)).toEqual([
      'DomainSysvol\\GPO\\Machine\\Scripts\\Startup\\run.cmd',
    ]);
    expect(paths(inventory.unknown.objects)).toEqual([
      'dir:%GPO_MACH_FSPATH%\\Scripts',
      'dir:%GPO_MACH_FSPATH%\\Scripts\\Shutdown',
      'dir:%GPO_MACH_FSPATH%\\Scripts\\Startup',
    ]);
  });

  it('has 9 known-extension slots for GPMC 2016+ and 8 for the 2015 generation', () => {
    expect(buildExtensionInventory(sampleModel()).slots).toHaveLength(9);
    expect(buildExtensionInventory(sampleModel({ layout: 'gpmc-2012r2' })).slots).toHaveLength(8);
  });
});
