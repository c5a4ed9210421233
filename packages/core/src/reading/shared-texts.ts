/**
 * Keeps each distinct text once: a reader that holds a record per backup of a large directory (verify, prune: 70,000
 * backups at 10,000 GPOs × 7) passes the texts many records repeat (a provider, a domain, an object's id and name)
 * through it, so the records share one string instead of each holding a copy parsed from its own file. Up to `limit`
 * distinct texts are remembered; past that a text is kept as given.
 */
export function sharedTexts(limit = 50_000): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    const found = known.get(text);
    if (found !== undefined) return found;
    if (known.size < limit) known.set(text, text);
    return text;
  };
}
