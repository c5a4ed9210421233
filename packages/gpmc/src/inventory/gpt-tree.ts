import { invalidArgument } from '@coffer/core';
import type { GptEntry } from '../model.js';

/** A folder or file of the GPT, with its children in GPMC's order. */
export interface GptNode {
  name: string;
  kind: 'file' | 'dir';
  /** Path segments from the GPT root, case as found. */
  segments: string[];
  children: GptNode[];
}

/** Splits `a\b/c` into segments, dropping empty ones. */
export function pathSegments(path: string): string[] {
  return path.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
}

/**
 * Windows compares names by their upper-case form, code unit by code unit (NTFS's collation, which is
 * the order a directory listing over SMB comes back in). `_` therefore sorts after letters.
 */
export function compareNamesLikeNtfs(a: string, b: string): number {
  const ua = upcase(a);
  const ub = upcase(b);
  const length = Math.min(ua.length, ub.length);
  for (let i = 0; i < length; i++) {
    const diff = ua.charCodeAt(i) - ub.charCodeAt(i);
    if (diff !== 0) return diff;
  }
  return ua.length - ub.length;
}

function upcase(name: string): string {
  let out = '';
  for (const char of name) {
    const upper = char.toUpperCase();
    // Keep one code unit per character: NTFS's upcase table never expands (ß stays ß).
    out += upper.length === char.length ? upper : char;
  }
  return out;
}

/** The key two GPT paths share when Windows would consider them the same path. */
export function pathKey(segments: readonly string[]): string {
  return segments.map((segment) => upcase(segment)).join('\\');
}

/**
 * Builds the GPT tree from a flat list. Folders that only appear as a file's parent are added; a path
 * listed twice (in any case) is kept once, as first listed.
 */
export function buildGptTree(entries: readonly GptEntry[]): GptNode {
  const root: GptNode = { name: '', kind: 'dir', segments: [], children: [] };
  const byKey = new Map<string, GptNode>([['', root]]);

  const ensure = (segments: string[], kind: 'file' | 'dir'): void => {
    let parent = root;
    for (let depth = 1; depth <= segments.length; depth++) {
      const prefix = segments.slice(0, depth);
      const key = pathKey(prefix);
      let node = byKey.get(key);
      if (node === undefined) {
        const isLeaf = depth === segments.length;
        node = { name: prefix[depth - 1]!, kind: isLeaf ? kind : 'dir', segments: prefix, children: [] };
        byKey.set(key, node);
        parent.children.push(node);
      } else if (node.kind === 'file' && depth < segments.length) {
        throw invalidArgument(`The GPT tree lists ${prefix.join('\\')} as a file and as a folder.`, {
          object: segments.join('\\'),
          hint: 'List each GPT path once, with its real kind.',
        });
      }
      parent = node;
    }
  };

  for (const entry of entries) {
    const segments = pathSegments(entry.path);
    if (segments.length === 0) continue;
    ensure(segments, entry.kind);
  }
  sortTree(root);
  return root;
}

function sortTree(node: GptNode): void {
  node.children.sort((a, b) => compareNamesLikeNtfs(a.name, b.name));
  for (const child of node.children) sortTree(child);
}

/** Finds a node by path, comparing names as Windows does (case-insensitively). */
export function findNode(root: GptNode, segments: readonly string[]): GptNode | undefined {
  let node: GptNode | undefined = root;
  for (const segment of segments) {
    const key = upcase(segment);
    node = node.children.find((child: GptNode) => upcase(child.name) === key);
    if (node === undefined) return undefined;
  }
  return node;
}
