import { invalidArgument } from '@coffer/core';
import { CSE, type GpoBackupModel } from '../model.js';
import { GptPathBuilder, type ExtensionBlock, type FsObject } from './fs-object.js';
import { buildGptTree, findNode, pathKey, type GptNode } from './gpt-tree.js';
import { KNOWN_EXTENSIONS, makeContext, slotCount } from './known-extensions.js';

/** Everything the `<GroupPolicyExtension>` blocks of Backup.xml list, in GPMC's layout. */
export interface ExtensionInventory {
  /** The Registry block: machine and user registry.pol (null when the GPT has none) and the Adm wildcard. */
  registry: { machine: FsObject | null; user: FsObject | null; adm: FsObject };
  /** The template's known-extension slots after Registry; `null` where that extension is absent. */
  slots: Array<ExtensionBlock | null>;
  /** The catch-all block listing every folder and every unclaimed file. */
  unknown: ExtensionBlock;
}

/** Builds the inventory GPMC writes for the model's GPT tree. */
export function buildExtensionInventory(model: GpoBackupModel): ExtensionInventory {
  const layout = model.layout ?? 'gpmc-2016';
  const tree = buildGptTree(model.gptTree);
  const paths = new GptPathBuilder(model.domainController, model.domain, model.gpoId);
  const claimed = new Set<string>();

  const registryPol = (side: 'Machine' | 'User'): FsObject | null => {
    const node = findNode(tree, [side, 'registry.pol']);
    if (node?.kind !== 'file') return null;
    claimed.add(pathKey(node.segments));
    return paths.entry('file', [side, 'registry.pol']);
  };
  const registry = {
    machine: registryPol('Machine'),
    user: registryPol('User'),
    adm: paths.entry('file', ['Adm', '*.*'], { copied: false }),
  };

  const slots: Array<ExtensionBlock | null> = new Array<ExtensionBlock | null>(slotCount(layout)).fill(null);
  const context = makeContext(model, tree, paths);
  for (const extension of KNOWN_EXTENSIONS) {
    const result = extension.build(context);
    if (result === null) continue;
    const slot = extension.slot(layout);
    if (slots[slot] !== null && slots[slot] !== undefined) {
      throw invalidArgument(`Two known extensions share Backup.xml template slot ${slot}.`, { object: extension.id });
    }
    slots[slot] = result.block;
    for (const key of result.claimed) claimed.add(key);
  }

  return {
    registry,
    slots,
    unknown: { id: CSE.UnknownExtension, descName: 'Unknown Extension', objects: walkUnclaimed(tree, paths, claimed) },
  };
}

/**
 * Depth-first, pre-order walk: every folder (empty ones too), every unclaimed file. GPT.INI and Adm at the
 * root are not copied; the Machine and User folders are implied by their variables, so only their
 * contents are listed.
 */
function walkUnclaimed(root: GptNode, paths: GptPathBuilder, claimed: ReadonlySet<string>): FsObject[] {
  const out: FsObject[] = [];
  const visit = (node: GptNode): void => {
    for (const child of node.children) {
      const atRoot = node === root;
      const upper = child.name.toUpperCase();
      if (atRoot && child.kind === 'file' && upper === 'GPT.INI') continue;
      if (atRoot && child.kind === 'dir' && upper === 'ADM') continue;
      if (atRoot && child.kind === 'dir' && (upper === 'MACHINE' || upper === 'USER')) {
        visit(child);
        continue;
      }
      if (child.kind === 'dir') {
        out.push(paths.entry('dir', child.segments));
        visit(child);
      } else if (!claimed.has(pathKey(child.segments))) {
        out.push(paths.entry('file', child.segments));
      }
    }
  };
  visit(root);
  return out;
}
