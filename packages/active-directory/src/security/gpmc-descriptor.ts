import { invalidGpmcHex } from './errors.js';
import type { SecurityDescriptor } from './model.js';
import { parseSecurityDescriptor, serializeSecurityDescriptor } from './security-descriptor.js';

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
 * rewrap XML), but every byte must be exactly two hex digits.
 */
export function parseGpmcHex(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed === '') return new Uint8Array(0);
  const tokens = trimmed.split(/\s+/);
  const out = new Uint8Array(tokens.length);
  tokens.forEach((token, i) => {
    if (!/^[0-9a-fA-F]{2}$/.test(token)) {
      throw invalidGpmcHex(`Byte #${i} of the descriptor hex is "${token}", not two hex digits.`, 'Backup.xml <SecurityDescriptor>');
    }
    out[i] = parseInt(token, 16);
  });
  return out;
}
