/**
 * Access-mask bits ([MS-DTYP] 2.4.3, [MS-ADTS] 5.1.3.2) and the two-letter SDDL right names
 * ([MS-DTYP] 2.5.1.1, sddl.h).
 */
export const AccessMask = {
  // Directory-service object rights (the low 16 bits are object specific).
  ADS_RIGHT_DS_CREATE_CHILD: 0x00000001,
  ADS_RIGHT_DS_DELETE_CHILD: 0x00000002,
  ADS_RIGHT_ACTRL_DS_LIST: 0x00000004,
  ADS_RIGHT_DS_SELF: 0x00000008,
  ADS_RIGHT_DS_READ_PROP: 0x00000010,
  ADS_RIGHT_DS_WRITE_PROP: 0x00000020,
  ADS_RIGHT_DS_DELETE_TREE: 0x00000040,
  ADS_RIGHT_DS_LIST_OBJECT: 0x00000080,
  ADS_RIGHT_DS_CONTROL_ACCESS: 0x00000100,
  // Standard rights.
  DELETE: 0x00010000,
  READ_CONTROL: 0x00020000,
  WRITE_DAC: 0x00040000,
  WRITE_OWNER: 0x00080000,
  SYNCHRONIZE: 0x00100000,
  ACCESS_SYSTEM_SECURITY: 0x01000000,
  MAXIMUM_ALLOWED: 0x02000000,
  // Generic rights.
  GENERIC_ALL: 0x10000000,
  GENERIC_EXECUTE: 0x20000000,
  GENERIC_WRITE: 0x40000000,
  GENERIC_READ: 0x80000000,
  // SYSTEM_MANDATORY_LABEL_ACE policy bits.
  SYSTEM_MANDATORY_LABEL_NO_WRITE_UP: 0x00000001,
  SYSTEM_MANDATORY_LABEL_NO_READ_UP: 0x00000002,
  SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP: 0x00000004,
  // Composite file and registry rights that SDDL has names for.
  FILE_ALL_ACCESS: 0x001f01ff,
  FILE_GENERIC_READ: 0x00120089,
  FILE_GENERIC_WRITE: 0x00120116,
  FILE_GENERIC_EXECUTE: 0x001200a0,
  KEY_ALL_ACCESS: 0x000f003f,
  KEY_READ: 0x00020019,
  KEY_WRITE: 0x00020006,
  KEY_EXECUTE: 0x00020019,
} as const;

/** SDDL names of single bits, in bit order (Windows prints the letters of a mask lowest bit first). */
export const SDDL_RIGHT_BITS: readonly (readonly [string, number])[] = [
  ['CC', AccessMask.ADS_RIGHT_DS_CREATE_CHILD],
  ['DC', AccessMask.ADS_RIGHT_DS_DELETE_CHILD],
  ['LC', AccessMask.ADS_RIGHT_ACTRL_DS_LIST],
  ['SW', AccessMask.ADS_RIGHT_DS_SELF],
  ['RP', AccessMask.ADS_RIGHT_DS_READ_PROP],
  ['WP', AccessMask.ADS_RIGHT_DS_WRITE_PROP],
  ['DT', AccessMask.ADS_RIGHT_DS_DELETE_TREE],
  ['LO', AccessMask.ADS_RIGHT_DS_LIST_OBJECT],
  ['CR', AccessMask.ADS_RIGHT_DS_CONTROL_ACCESS],
  ['SD', AccessMask.DELETE],
  ['RC', AccessMask.READ_CONTROL],
  ['WD', AccessMask.WRITE_DAC],
  ['WO', AccessMask.WRITE_OWNER],
  ['GA', AccessMask.GENERIC_ALL],
  ['GX', AccessMask.GENERIC_EXECUTE],
  ['GW', AccessMask.GENERIC_WRITE],
  ['GR', AccessMask.GENERIC_READ],
];

/**
 * Composite names Windows prints when a mask equals them exactly, tried before the bit names.
 * KX has KR's value, so a 0x20019 mask prints as KR.
 */
export const SDDL_RIGHT_COMPOSITES: readonly (readonly [string, number])[] = [
  ['FA', AccessMask.FILE_ALL_ACCESS],
  ['FR', AccessMask.FILE_GENERIC_READ],
  ['FW', AccessMask.FILE_GENERIC_WRITE],
  ['FX', AccessMask.FILE_GENERIC_EXECUTE],
  ['KA', AccessMask.KEY_ALL_ACCESS],
  ['KR', AccessMask.KEY_READ],
  ['KW', AccessMask.KEY_WRITE],
  ['KX', AccessMask.KEY_EXECUTE],
];

/** Mandatory-label ACEs name their three policy bits differently. */
export const SDDL_LABEL_RIGHT_BITS: readonly (readonly [string, number])[] = [
  ['NW', AccessMask.SYSTEM_MANDATORY_LABEL_NO_WRITE_UP],
  ['NR', AccessMask.SYSTEM_MANDATORY_LABEL_NO_READ_UP],
  ['NX', AccessMask.SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP],
];

/**
 * The SDDL rights string of a mask: empty for 0, a composite name on exact match, the bit names
 * when every set bit has one, otherwise `0x` + lower-case hex of the whole mask (as Windows does
 * for e.g. 0x1200a9, which carries SYNCHRONIZE).
 */
export function formatSddlRights(mask: number, forMandatoryLabel = false): string {
  const value = mask >>> 0;
  if (value === 0) return '';
  const bits = forMandatoryLabel ? SDDL_LABEL_RIGHT_BITS : SDDL_RIGHT_BITS;
  if (!forMandatoryLabel) {
    for (const [name, composite] of SDDL_RIGHT_COMPOSITES) if (value === composite) return name;
  }
  let covered = 0;
  let out = '';
  for (const [name, bit] of bits) {
    if ((value & bit) >>> 0 !== 0) {
      out += name;
      covered = (covered | bit) >>> 0;
    }
  }
  if (covered !== value) return `0x${value.toString(16)}`;
  return out;
}

/** Inverse of formatSddlRights; returns undefined when the text is not a rights string. */
export function parseSddlRights(text: string): number | undefined {
  if (text === '') return 0;
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(text)) return parseInt(text.slice(2), 16) >>> 0;
  if (/^\d{1,10}$/.test(text)) {
    const value = Number(text);
    return value <= 0xffffffff ? value : undefined;
  }
  if (text.length % 2 !== 0) return undefined;
  const names = new Map<string, number>([...SDDL_RIGHT_BITS, ...SDDL_RIGHT_COMPOSITES, ...SDDL_LABEL_RIGHT_BITS]);
  let mask = 0;
  for (let i = 0; i < text.length; i += 2) {
    const bit = names.get(text.slice(i, i + 2).toUpperCase());
    if (bit === undefined) return undefined;
    mask = (mask | bit) >>> 0;
  }
  return mask;
}
