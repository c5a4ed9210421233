import { NS_MANIFEST, backupInstOf, type BackupInst, type GpoBackupModel } from '../model.js';
import { cdataElement } from '../xml/escape.js';

/** The children of a `<BackupInst>`, in GPMC's order, every value in CDATA (even empty ones). */
export function renderBackupInstBody(inst: BackupInst): string {
  let body =
    cdataElement('GPOGuid', inst.gpoGuid) +
    cdataElement('GPODomain', inst.gpoDomain) +
    cdataElement('GPODomainGuid', inst.gpoDomainGuid) +
    cdataElement('GPODomainController', inst.gpoDomainController) +
    cdataElement('BackupTime', inst.backupTime) +
    cdataElement('ID', inst.id) +
    cdataElement('Comment', inst.comment) +
    cdataElement('GPODisplayName', inst.gpoDisplayName);
  // Elements a newer GPMC may add are kept after the known ones, so a round trip loses nothing.
  for (const extra of inst.extraElements ?? []) body += cdataElement(extra.name, extra.text);
  return body;
}

/** bkupInfo.xml: one `<BackupInst>` in the manifest namespace, UTF-8 without BOM, one line ending in CRLF. */
export function renderBkupInfoXmlForInst(inst: BackupInst): Buffer {
  return Buffer.from(`<BackupInst xmlns="${NS_MANIFEST}">${renderBackupInstBody(inst)}</BackupInst>\r\n`, 'utf8');
}

/** bkupInfo.xml for a model. */
export function renderBkupInfoXml(model: GpoBackupModel): Buffer {
  return renderBkupInfoXmlForInst(backupInstOf(model));
}
