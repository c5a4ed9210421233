import { describe, expect, it } from 'vitest';
import { SdFlagsControl, SD_FLAGS_CONTROL_OID, SecurityInformation } from '../../src/index.js';

describe('SdFlagsControl', () => {
  it('encodes owner|group|dacl as BER SEQUENCE { INTEGER 7 }', () => {
    const control = new SdFlagsControl(
      SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl,
    );
    expect(control.type).toBe(SD_FLAGS_CONTROL_OID);
    expect([...control.encodeValue()]).toEqual([0x30, 0x03, 0x02, 0x01, 0x07]);
  });

  it('encodes all four bits (15) and is critical by default', () => {
    const control = new SdFlagsControl(15);
    expect([...control.encodeValue()]).toEqual([0x30, 0x03, 0x02, 0x01, 0x0f]);
    expect(control.critical).toBe(true);
  });
});
