/**
 * StarterGPO.tmplx / .tmpll in the shape GPMC is believed to use (docs/gpmc-backup-format.md §1: the element names
 * are unverified; no real sample was available). Kept in this one module so a correction is a one-file change.
 */
export const STARTER_GPO_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/GPOOperations/StarterGPO';

export interface StarterGpoDescription {
  guid: string;
  displayName: string;
  description: string;
  author: string;
  product: string;
  /** 0 System, 1 Custom (GPMStarterGPOType). */
  type: 0 | 1;
  computerVersion: number;
  userVersion: number;
  starterGpoVersion: string;
  creationTime: string;
  modifiedTime: string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderStarterGpoTmplx(s: StarterGpoDescription): string {
  const el = (name: string, value: string | number) => `  <${name}>${escapeXml(String(value))}</${name}>`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<StarterGPO xmlns="${STARTER_GPO_NAMESPACE}" version="1.0">`,
    el('DisplayName', s.displayName),
    el('Description', s.description),
    el('Author', s.author),
    el('Product', s.product),
    el('CreationTime', s.creationTime),
    el('ModifiedTime', s.modifiedTime),
    el('ID', s.guid),
    el('Type', s.type),
    el('ComputerVersion', s.computerVersion),
    el('UserVersion', s.userVersion),
    el('StarterGPOVersion', s.starterGpoVersion),
    '</StarterGPO>',
    '',
  ].join('\r\n');
}

export function renderStarterGpoTmpll(language: string, displayName: string, description: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<StarterGPOResources xmlns="${STARTER_GPO_NAMESPACE}" language="${escapeXml(language)}">`,
    `  <DisplayName>${escapeXml(displayName)}</DisplayName>`,
    `  <Description>${escapeXml(description)}</Description>`,
    '</StarterGPOResources>',
    '',
  ].join('\r\n');
}

/** comment.cmtx as the Group Policy editor writes it (same shape as the corpus files). */
export function renderCommentCmtx(namespace: string, policyRef: string, comment: string): string {
  return `\ufeff<?xml version='1.0' encoding='utf-8'?>
<policyComments xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://www.microsoft.com/GroupPolicy/CommentDefinitions">
  <policyNamespaces>
    <using prefix="ns0" namespace="${escapeXml(namespace)}"></using>
  </policyNamespaces>
  <comments>
    <admTemplate>
      <comment policyRef="ns0:${escapeXml(policyRef)}" commentText="${escapeXml(comment)}"></comment>
    </admTemplate>
  </comments>
  <resources minRequiredRevision="1.0">
    <stringTable></stringTable>
  </resources>
</policyComments>`;
}
