import { AccessMask, type Ace, type SecurityDescriptor } from '@coffer/active-directory';

/** BUILTIN\Pre-Windows 2000 Compatible Access: Samba leaves it off the GPT folder. */
const PRE_WINDOWS_2000_COMPATIBLE_ACCESS = 'S-1-5-32-554';
const CREATOR_OWNER = 'S-1-3-0';

const DS_CREATE_CHILD = AccessMask.ADS_RIGHT_DS_CREATE_CHILD;
const DS_DELETE_CHILD = AccessMask.ADS_RIGHT_DS_DELETE_CHILD;
const DS_LIST = AccessMask.ADS_RIGHT_ACTRL_DS_LIST;
const DS_READ_PROP = AccessMask.ADS_RIGHT_DS_READ_PROP;
const DS_WRITE_PROP = AccessMask.ADS_RIGHT_DS_WRITE_PROP;

const FILE_READ_DATA = 0x0001; // also FILE_LIST_DIRECTORY
const FILE_WRITE_DATA = 0x0002; // also FILE_ADD_FILE
const FILE_APPEND_DATA = 0x0004; // also FILE_ADD_SUBDIRECTORY
const FILE_READ_EA = 0x0008;
const FILE_WRITE_EA = 0x0010;
const FILE_EXECUTE = 0x0020; // also FILE_TRAVERSE
const FILE_DELETE_CHILD = 0x0040;
const FILE_READ_ATTRIBUTES = 0x0080;
const FILE_WRITE_ATTRIBUTES = 0x0100;
const SYNCHRONIZE = 0x00100000;
const STANDARD_RIGHTS_ALL = 0x001f0000;

/**
 * A directory-service access mask as the matching file-system mask, the way Samba's
 * `ldapmask2filemask` (samba/ntacls.py) maps a GPO's rights onto its SYSVOL folder:
 * standard rights carry over, read property + list becomes read/execute, write property becomes write.
 */
export function fileMaskFromDsMask(dsMask: number): number {
  let mask = dsMask & STANDARD_RIGHTS_ALL;
  if (dsMask & DS_READ_PROP && dsMask & DS_LIST) {
    mask |= SYNCHRONIZE | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | FILE_EXECUTE;
  }
  if (dsMask & DS_WRITE_PROP) {
    mask |= SYNCHRONIZE | FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES;
  }
  if (dsMask & DS_CREATE_CHILD) mask |= FILE_APPEND_DATA | FILE_WRITE_DATA;
  if (dsMask & DS_DELETE_CHILD) mask |= FILE_DELETE_CHILD;
  return mask >>> 0;
}

/**
 * The NT ACL of a GPO's SYSVOL folder derived from the GPO container's descriptor, as Samba's
 * `dsacl2fsacl` does for `samba-tool gpo create`, `ntacl sysvolreset` and `gpo aclcheck`: same owner,
 * group and control flags; every allow ACE (plain or object, except Pre-Windows 2000 Compatible Access)
 * becomes object- and container-inheritable (Creator Owner inherit-only) with its mask mapped; deny
 * and audit ACEs are dropped. Object ACEs keep their GUIDs, as Samba stores them.
 */
export function sysvolAclFromGpoDescriptor(descriptor: SecurityDescriptor): SecurityDescriptor {
  const aces: Ace[] = [];
  for (const ace of descriptor.dacl?.aces ?? []) {
    if (ace.kind !== 'accessAllowed' && ace.kind !== 'accessAllowedObject') continue;
    if (ace.sid === PRE_WINDOWS_2000_COMPATIBLE_ACCESS) continue;
    const flags = {
      ...ace.flags,
      objectInherit: true,
      containerInherit: true,
      ...(ace.sid === CREATOR_OWNER ? { inheritOnly: true } : {}),
    };
    aces.push({ ...ace, flags, mask: fileMaskFromDsMask(ace.mask) });
  }
  const {
    saclPresent: _sacl,
    saclAutoInherited: _sai,
    saclAutoInheritRequired: _sar,
    saclProtected: _sp,
    saclDefaulted: _sd,
    ...control
  } = descriptor.control;
  return {
    revision: descriptor.revision,
    resourceManagerControl: 0,
    control: { ...control, daclPresent: true, selfRelative: true },
    ...(descriptor.owner === undefined ? {} : { owner: descriptor.owner }),
    ...(descriptor.group === undefined ? {} : { group: descriptor.group }),
    dacl: { revision: descriptor.dacl?.revision ?? 2, aces },
  };
}

const ACE_TYPE_SDDL: Partial<Record<Ace['kind'], string>> = {
  accessAllowed: 'A',
  accessDenied: 'D',
  accessAllowedObject: 'OA',
  accessDeniedObject: 'OD',
};
const FLAG_LETTERS: Array<[keyof NonNullable<Ace['flags']>, string]> = [
  ['objectInherit', 'OI'],
  ['containerInherit', 'CI'],
  ['noPropagateInherit', 'NP'],
  ['inheritOnly', 'IO'],
  ['inherited', 'ID'],
];

/**
 * SDDL for smbcacls and samba-tool: full SIDs and hex masks, as Samba prints file ACLs. Samba's SDDL
 * parser reads the file composites (FA, FR...) differently from Windows, so they are never used here.
 */
export function fileAclSddl(sd: SecurityDescriptor): string {
  const flags =
    (sd.control.daclProtected ? 'P' : '') +
    (sd.control.daclAutoInheritRequired ? 'AR' : '') +
    (sd.control.daclAutoInherited ? 'AI' : '');
  const aces = (sd.dacl?.aces ?? []).map((ace) => {
    const type = ACE_TYPE_SDDL[ace.kind];
    if (type === undefined || ace.kind === 'unknown')
      throw new Error(`A ${ace.kind} ACE cannot be written to a SYSVOL folder.`);
    const letters = FLAG_LETTERS.filter(([name]) => ace.flags[name])
      .map(([, letter]) => letter)
      .join('');
    const objectType = 'objectType' in ace && ace.objectType ? ace.objectType : '';
    const inherited = 'inheritedObjectType' in ace && ace.inheritedObjectType ? ace.inheritedObjectType : '';
    return `(${type};${letters};0x${(ace.mask >>> 0).toString(16).padStart(8, '0')};${objectType};${inherited};${ace.sid})`;
  });
  return `${sd.owner ? `O:${sd.owner}` : ''}${sd.group ? `G:${sd.group}` : ''}D:${flags}${aces.join('')}`;
}

/**
 * A file ACL reduced to what access it grants: owner, group, DACL flags and the set of ACEs. smbcacls
 * sorts ACEs into canonical order and merges duplicates when it writes, so two ACLs that grant the same
 * are compared in this form.
 */
export function canonicalFileAcl(sd: SecurityDescriptor): string {
  const aces = [
    ...new Set(
      (sd.dacl?.aces ?? []).map((ace) =>
        fileAclSddl({
          ...sd,
          owner: undefined,
          group: undefined,
          control: {},
          dacl: { revision: 2, aces: [ace] },
        }).slice(2),
      ),
    ),
  ].sort();
  const flags = (sd.control.daclProtected ? 'P' : '') + (sd.control.daclAutoInherited ? 'AI' : '');
  return `O:${sd.owner ?? ''}G:${sd.group ?? ''}D:${flags}${aces.join('')}`;
}
