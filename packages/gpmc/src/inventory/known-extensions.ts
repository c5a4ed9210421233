import { CSE, type GpmcTemplateLayout, type GpoBackupModel } from '../model.js';
import { listsClientSideExtension } from '../extension-names.js';
import type { ExtensionBlock, FsObject, GptPathBuilder } from './fs-object.js';
import { findNode, pathKey, type GptNode } from './gpt-tree.js';

/** What a known extension's builder gets. */
export interface KnownExtensionContext {
  model: GpoBackupModel;
  tree: GptNode;
  paths: GptPathBuilder;
  machineLists(cse: string): boolean;
  userLists(cse: string): boolean;
}

/** The block an extension adds and the GPT files it claims (keys from {@link pathKey}). */
export interface KnownExtensionResult {
  block: ExtensionBlock;
  claimed: string[];
}

/**
 * An extension GPMC's Backup.xml template knows. `verified` says whether a real GPMC backup proves
 * its slot and entries; the others follow public descriptions of Windows' output and may be wrong.
 */
export interface KnownExtension {
  id: string;
  descName: string;
  verified: boolean;
  slot(layout: GpmcTemplateLayout): number;
  build(context: KnownExtensionContext): KnownExtensionResult | null;
}

/** Number of known-extension slots after the Registry block, per GPMC version (proven by the corpus). */
export function slotCount(layout: GpmcTemplateLayout): number {
  return layout === 'gpmc-2012r2' ? 8 : 9;
}

const SECURITY_TEMPLATE = ['microsoft', 'windows nt', 'SecEdit', 'GptTmpl.inf'];

/** Security settings: GptTmpl.inf, re-evaluated on restore/import. Slot 5 of 9 is proven by the corpus. */
const security: KnownExtension = {
  id: CSE.Security,
  descName: 'Security',
  verified: true,
  slot: () => 4,
  build({ tree, paths, machineLists }) {
    if (!machineLists(CSE.Security)) return null;
    const segments = ['Machine', ...SECURITY_TEMPLATE];
    const node = findNode(tree, segments);
    if (node === undefined || node.kind !== 'file') return null;
    // The template's own spelling (lower-case microsoft\windows nt), not the folder's as found.
    return {
      block: {
        id: CSE.Security,
        descName: 'Security',
        objects: [paths.entry('file', segments, { reEvaluateFunction: 'SecurityValidateSettings' })],
      },
      claimed: [pathKey(node.segments)],
    };
  },
};

/** Files directly inside a folder, as children of a wildcard entry. */
function wildcard(
  context: KnownExtensionContext,
  folder: readonly string[],
  reEvaluateFunction: string | undefined,
  claimed: string[],
): FsObject {
  const node = findNode(context.tree, folder);
  const files = node?.children.filter((child) => child.kind === 'file') ?? [];
  const entry = context.paths.entry('file', [...folder, '*'], {
    copied: false,
    ...(reEvaluateFunction === undefined ? {} : { reEvaluateFunction }),
  });
  if (files.length > 0) {
    entry.children = files.map((file) => context.paths.entry('file', [...folder, file.name]));
    for (const file of files) claimed.push(pathKey(file.segments));
  }
  return entry;
}

/**
 * Folder Redirection: a `Documents & Settings\*` wildcard re-evaluated by FRValidateSettings, holding
 * fdeploy*.ini; the folder itself stays in the Unknown Extension block. Slot unverified.
 */
const folderRedirection: KnownExtension = {
  id: CSE.FolderRedirection,
  descName: 'Folder Redirection',
  verified: false,
  slot: () => 0,
  build(context) {
    if (!context.userLists(CSE.FolderRedirection)) return null;
    const claimed: string[] = [];
    const objects = [wildcard(context, ['User', 'Documents & Settings'], 'FRValidateSettings', claimed)];
    return { block: { id: CSE.FolderRedirection, descName: 'Folder Redirection', objects }, claimed };
  },
};

/**
 * Scripts: scripts.ini / psscripts.ini of each side, then the four script folders as wildcards (Windows
 * lists all four even when one side has scripts). Slot and entry order unverified.
 */
const scripts: KnownExtension = {
  id: CSE.Scripts,
  descName: 'Scripts',
  verified: false,
  slot: () => 1,
  build(context) {
    if (!context.machineLists(CSE.Scripts) && !context.userLists(CSE.Scripts)) return null;
    const claimed: string[] = [];
    const objects: FsObject[] = [];
    for (const side of ['Machine', 'User']) {
      for (const ini of ['scripts.ini', 'psscripts.ini']) {
        const node = findNode(context.tree, [side, 'Scripts', ini]);
        if (node?.kind !== 'file') continue;
        objects.push(context.paths.entry('file', [side, 'Scripts', ini]));
        claimed.push(pathKey(node.segments));
      }
    }
    for (const [side, folder] of [
      ['Machine', 'Startup'],
      ['Machine', 'Shutdown'],
      ['User', 'Logon'],
      ['User', 'Logoff'],
    ] as const) {
      objects.push(wildcard(context, [side, 'Scripts', folder], undefined, claimed));
    }
    return { block: { id: CSE.Scripts, descName: 'Scripts', objects }, claimed };
  },
};

/** Every known extension but Registry (always present, own block) and the Unknown Extension catch-all. */
export const KNOWN_EXTENSIONS: readonly KnownExtension[] = [folderRedirection, scripts, security];

export function makeContext(model: GpoBackupModel, tree: GptNode, paths: GptPathBuilder): KnownExtensionContext {
  return {
    model,
    tree,
    paths,
    machineLists: (cse) => listsClientSideExtension(model.machineExtensionNames, cse),
    userLists: (cse) => listsClientSideExtension(model.userExtensionNames, cse),
  };
}
