/**
 * `gPCMachineExtensionNames` / `gPCUserExtensionNames`: `[{CSE}{tool}…][{CSE}{tool}…]`. Each bracketed
 * group names a client-side extension first, then the snap-ins (tools) that wrote its settings.
 */

export interface ExtensionNameGroup {
  clientSideExtension: string;
  tools: string[];
}

/** Parses the attribute; text outside brackets and malformed groups are ignored, not rejected. */
export function parseExtensionNames(value: string): ExtensionNameGroup[] {
  const groups: ExtensionNameGroup[] = [];
  for (const match of value.matchAll(/\[([^\]]*)\]/g)) {
    const guids = [...(match[1] ?? '').matchAll(/\{[0-9A-Fa-f-]{36}\}/g)].map((guid) => guid[0]);
    if (guids.length === 0) continue;
    groups.push({ clientSideExtension: guids[0]!, tools: guids.slice(1) });
  }
  return groups;
}

/** Whether the attribute lists the client-side extension `cse` (GUIDs compared case-insensitively). */
export function listsClientSideExtension(value: string, cse: string): boolean {
  const wanted = cse.toUpperCase();
  return parseExtensionNames(value).some((group) => group.clientSideExtension.toUpperCase() === wanted);
}
