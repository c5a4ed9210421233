import {
  parseSecurityDescriptor,
  serializeSecurityDescriptor,
  type SecurityDescriptor,
} from '@coffer/active-directory/security';
import { malformed } from '../xml/element-tree.js';

// GPMC's spelling of a security descriptor in Backup.xml; the descriptor codec itself is @coffer/active-directory's.

/**
 * The DACL-only self-relative descriptor GPMC writes into Backup.xml `<SecurityDescriptor>`:
 * owner, group and SACL offsets 0, the DACL right after the header at 0x14, and the control word
 * minus what belongs to the dropped parts: SE_SACL_PRESENT, SE_OWNER_DEFAULTED, SE_GROUP_DEFAULTED.
 * Every corpus backup reads `01 00 04 9c` (0x9c04): Windows keeps SE_SACL_AUTO_INHERITED, so the
 * other SACL bits are kept too (unverified: no sample has them). Clearing the *_DEFAULTED bits
 * follows Samba's answer to the SD-flags control, which does so (no Windows sample has them).
 */
export function toGpmcDaclOnlyDescriptor(input: SecurityDescriptor | Uint8Array): Uint8Array {
  const sd = input instanceof Uint8Array ? parseSecurityDescriptor(input) : input;
  const daclOnly: SecurityDescriptor = {
    revision: sd.revision,
    resourceManagerControl: sd.resourceManagerControl,
    control: { ...sd.control, saclPresent: false, ownerDefaulted: false, groupDefaulted: false },
    ...(sd.dacl ? { dacl: sd.dacl } : {}),
  };
  return serializeSecurityDescriptor(daclOnly);
}

/** `01 00 04 9c ...`: two lower-case hex digits per byte, single spaces, nothing else. */
export function formatGpmcHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Reads the hex GPMC wrote. Accepts either case and any run of whitespace between bytes (editors
 * rewrap XML), but every byte must be exactly two hex digits; anything else is GPMC_FILE_MALFORMED.
 */
export function parseGpmcHex(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed === '') return Buffer.alloc(0);
  // The usual case in one step (a descriptor is hundreds of bytes, read once per backup by report and diff); the
  // token loop below only runs to name the bad byte.
  if (/^[0-9a-fA-F]{2}(?:\s+[0-9a-fA-F]{2})*$/.test(trimmed)) return Buffer.from(trimmed.replace(/\s+/g, ''), 'hex');
  const tokens = trimmed.split(/\s+/);
  const out = Buffer.alloc(tokens.length);
  tokens.forEach((token, i) => {
    if (!/^[0-9a-fA-F]{2}$/.test(token)) {
      throw malformed(
        'Backup.xml <SecurityDescriptor>',
        `byte #${i} of the descriptor hex is "${token}", not two hex digits`,
      );
    }
    out[i] = parseInt(token, 16);
  });
  return out;
}
