/**
 * The order GPMC lists principals in: walk the references backwards and keep each principal's first
 * sighting (equivalently: the order of their last appearance, latest first). The corpus proves it twice:
 * GptTmpl.inf's privilege rights (Guests, Administrators, SERVICE, NETWORK SERVICE, LOCAL SERVICE, Users)
 * and the DACL (Enterprise Admins before Domain Admins although Domain Admins' ACEs come first).
 */
export function orderLikeGpmc(references: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = references.length - 1; i >= 0; i--) {
    const reference = references[i]!;
    const key = reference.toUpperCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(reference);
  }
  return out;
}
