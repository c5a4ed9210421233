import { BerWriter, Control } from 'ldapts';

/** LDAP_SERVER_SD_FLAGS_OID: which parts of nTSecurityDescriptor the server returns. */
export const SD_FLAGS_CONTROL_OID = '1.2.840.113556.1.4.801';

/** Security-information bits of the SD flags control. SACL needs SeSecurityPrivilege. */
export const SecurityInformation = {
  Owner: 0x1,
  Group: 0x2,
  Dacl: 0x4,
  Sacl: 0x8,
} as const;

/** Control value BER `SEQUENCE { INTEGER flags }`; flags 7 encode as `30 03 02 01 07`. */
export class SdFlagsControl extends Control {
  readonly flags: number;

  constructor(flags: number, critical = true) {
    super(SD_FLAGS_CONTROL_OID, { critical });
    this.flags = flags;
  }

  /** The control value alone, for tests and logs. */
  encodeValue(): Buffer {
    const writer = new BerWriter();
    writer.startSequence();
    writer.writeInt(this.flags);
    writer.endSequence();
    return writer.buffer;
  }

  protected override writeControl(writer: BerWriter): void {
    writer.writeBuffer(this.encodeValue(), 0x04);
  }
}
