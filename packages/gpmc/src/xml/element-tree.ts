import { CofferError, HRESULT, xmlChild, xmlChildText, type XmlElement } from '@coffer/core';
import { scanXmlDocument } from './xml-scanner.js';

export type { XmlElement };
export { decodeXmlBytes } from '@coffer/core';

/** Error code for GPMC files this package cannot read. */
export const MALFORMED_GPMC_FILE = 'GPMC_FILE_MALFORMED';

const HINT = 'The file is damaged or is not a GPMC backup file; take the backup again.';

/**
 * Parses XML into an {@link XmlElement} tree behind core's gate (size bounded, DOCTYPE refused as
 * XML_DOCTYPE_REFUSED), checking well-formedness in the same pass (see xml-scanner.ts); throws `GPMC_FILE_MALFORMED`
 * on broken XML. Elements `skip` names (local name, depth from the root at 0) are checked but not built: the
 * callers that read a few facts out of a large document leave out the parts they never look at. `maxChars` replaces
 * core's XML bound (a directory's index only).
 */
export function parseXmlDocument(
  input: Uint8Array | string,
  what: string,
  skip?: (localName: string, depth: number) => boolean,
  maxChars?: number,
): XmlElement {
  return scanXmlDocument(input, what, {
    malformedCode: MALFORMED_GPMC_FILE,
    hint: HINT,
    ...(skip ? { skip } : {}),
    ...(maxChars === undefined ? {} : { maxChars }),
  });
}

/** First child with that local name. */
export const child = xmlChild;

/** Text of the first child with that name, `''` when absent. */
export const childText = xmlChildText;

export function malformed(what: string, message: string): CofferError {
  return new CofferError(MALFORMED_GPMC_FILE, `${what}: ${message}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: what,
    hint: HINT,
  });
}
