import { invalidArgument } from '@coffer/core';
import { NS_BACKUP, type GpoBackupModel, type SecurityPrincipal } from '../model.js';
import { backupVersionNumbers } from '../versions.js';
import { cdata, cdataElementOrEmpty, escapeAttribute } from '../xml/escape.js';
import { formatGpmcHex } from '../security/gpmc-descriptor.js';
import type { ExtensionBlock, FsObject } from '../inventory/fs-object.js';
import { buildExtensionInventory, type ExtensionInventory } from '../inventory/extension-inventory.js';

const CRLF = '\r\n';
const PROLOGUE =
  '<?xml version="1.0" encoding="utf-8"?><!-- Copyright (c) Microsoft Corporation.  All rights reserved. -->' +
  `<GroupPolicyBackupScheme bkp:version="2.0" bkp:type="GroupPolicyBackupTemplate" xmlns:bkp="${NS_BACKUP}" xmlns="${NS_BACKUP}">`;

/**
 * Backup.xml exactly as GPMC writes it: UTF-8 without BOM, CRLF line breaks, GPMC's template
 * indentation (including its whitespace-only lines for absent extensions), no final line break.
 */
export function renderBackupXml(model: GpoBackupModel): Buffer {
  return Buffer.from(renderBackupXmlText(model, buildExtensionInventory(model)), 'utf8');
}

/** The text of Backup.xml for a model and an already built inventory. */
export function renderBackupXmlText(model: GpoBackupModel, inventory: ExtensionInventory): string {
  const head =
    '    <GroupPolicyObject>' +
    renderSecurityGroups(model.securityGroups) +
    renderFilePaths(model.filePaths) +
    `<GroupPolicyCoreSettings>${renderCoreSettings(model)}</GroupPolicyCoreSettings> `;
  const lines = [PROLOGUE, head, ...renderRegistryBlock(inventory)];
  for (const slot of inventory.slots) lines.push(`        ${slot === null ? '' : renderKnownBlock(slot)}`);
  lines.push(`    ${renderUnknownBlock(inventory.unknown)}</GroupPolicyObject>`);
  lines.push('</GroupPolicyBackupScheme>');
  return lines.join(CRLF);
}

function renderSecurityGroups(groups: readonly SecurityPrincipal[]): string {
  if (groups.length === 0) return '<SecurityGroups/>';
  const body = groups
    .map((group) => {
      const open = group.fromDacl ? '<Group bkp:Source="FromDACL">' : '<Group>';
      return (
        open +
        cdataElementOrEmpty('Sid', group.sid) +
        cdataElementOrEmpty('SamAccountName', group.samAccountName) +
        cdataElementOrEmpty('Type', group.type) +
        cdataElementOrEmpty('NetBIOSDomainName', group.netbiosDomainName) +
        cdataElementOrEmpty('DnsDomainName', group.dnsDomainName) +
        cdataElementOrEmpty('UPN', group.upn) +
        '</Group>'
      );
    })
    .join('');
  return `<SecurityGroups>${body}</SecurityGroups>`;
}

function renderFilePaths(paths: readonly string[]): string {
  if (paths.length === 0) return '<FilePaths/>';
  return `<FilePaths>${paths.map((path) => `<Path>${cdata(path)}</Path>`).join('')}</FilePaths>`;
}

function renderCoreSettings(model: GpoBackupModel): string {
  if (!Number.isInteger(model.flags) || model.flags < 0 || model.flags > 3) {
    throw invalidArgument(`GPO flags must be 0 to 3, not ${model.flags}.`, { object: model.gpoId });
  }
  const versions = backupVersionNumbers(model.versionNumber, model.gptIniVersion);
  const wmi = model.wmiFilter;
  return (
    cdataElementOrEmpty('ID', model.gpoId) +
    cdataElementOrEmpty('Domain', model.domain) +
    renderSecurityDescriptor(model.securityDescriptor) +
    cdataElementOrEmpty('DisplayName', model.displayName) +
    cdataElementOrEmpty('Options', String(model.flags)) +
    cdataElementOrEmpty('UserVersionNumber', String(versions.user)) +
    cdataElementOrEmpty('MachineVersionNumber', String(versions.machine)) +
    cdataElementOrEmpty('MachineExtensionGuids', model.machineExtensionNames) +
    cdataElementOrEmpty('UserExtensionGuids', model.userExtensionNames) +
    (wmi === null
      ? '<WMIFilter/>'
      : cdataElementOrEmpty('WMIFilter', `MSFT_SomFilter.ID="${wmi.id}",Domain="${wmi.domain}"`) +
        cdataElementOrEmpty('WMIFilterName', wmi.name))
  );
}

function renderSecurityDescriptor(bytes: Uint8Array): string {
  return bytes.length === 0
    ? '<SecurityDescriptor/>'
    : `<SecurityDescriptor>${formatGpmcHex(bytes)}</SecurityDescriptor>`;
}

function renderRegistryBlock(inventory: ExtensionInventory): string[] {
  const { machine, user, adm } = inventory.registry;
  return [
    '        <GroupPolicyExtension bkp:ID="{35378EAC-683F-11D2-A89A-00C04FBBCFA2}" bkp:DescName="Registry">',
    `            ${machine === null ? '' : renderFsObject(machine)}`,
    `            ${user === null ? '' : renderFsObject(user)}`,
    `            ${renderFsObject(adm)}`,
    '        </GroupPolicyExtension>',
  ];
}

function renderExtensionOpen(block: ExtensionBlock): string {
  return `<GroupPolicyExtension bkp:ID="${escapeAttribute(block.id)}" bkp:DescName="${escapeAttribute(block.descName)}">`;
}

/** A known extension's block, laid out like the Registry block (one entry per line). */
function renderKnownBlock(block: ExtensionBlock): string {
  const entries = block.objects.map((object) => `            ${renderFsObject(object)}`);
  return [renderExtensionOpen(block), ...entries, '        </GroupPolicyExtension>'].join(CRLF);
}

/** The catch-all block: all entries on one line. */
function renderUnknownBlock(block: ExtensionBlock): string {
  if (block.objects.length === 0) {
    return `<GroupPolicyExtension bkp:ID="${escapeAttribute(block.id)}" bkp:DescName="${escapeAttribute(block.descName)}"/>`;
  }
  return `${renderExtensionOpen(block)}${block.objects.map(renderFsObject).join('')}</GroupPolicyExtension>`;
}

/** Attribute order is GPMC's: Path, SourceExpandedPath, ReEvaluateFunction, Location. */
export function renderFsObject(object: FsObject): string {
  const name = object.kind === 'dir' ? 'FSObjectDir' : 'FSObjectFile';
  let attributes = ` bkp:Path="${escapeAttribute(object.path)}" bkp:SourceExpandedPath="${escapeAttribute(object.sourceExpandedPath)}"`;
  if (object.reEvaluateFunction !== undefined)
    attributes += ` bkp:ReEvaluateFunction="${escapeAttribute(object.reEvaluateFunction)}"`;
  if (object.location !== undefined) attributes += ` bkp:Location="${escapeAttribute(object.location)}"`;
  if (object.children === undefined || object.children.length === 0) return `<${name}${attributes}/>`;
  return `<${name}${attributes}>${object.children.map(renderFsObject).join('')}</${name}>`;
}
