import { CofferError, HRESULT } from '@coffer/core';

/** A GPT settings file (Registry.pol, GptTmpl.inf, audit.csv, an ini, GPP XML) that cannot be decoded. */
export const SETTINGS_FILE_MALFORMED = 'SETTINGS_FILE_MALFORMED';
/** An ADMX or ADML file of the central store that cannot be read. */
export const ADMX_MALFORMED = 'ADMX_MALFORMED';

export function settingsMalformed(file: string, message: string, code = SETTINGS_FILE_MALFORMED): CofferError {
  return new CofferError(code, `${file}: ${message}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: file,
    hint: 'The file is damaged or was not written by the Group Policy editor; its settings are left out of the report.',
  });
}
