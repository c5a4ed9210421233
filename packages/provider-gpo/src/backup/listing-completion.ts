/**
 * Tells when a GPO's folder has been listed completely while a tree streams past, so its GPMC
 * files can be written during the stream (`Item` is what an entry belongs to: a GPO being backed up).
 *
 * Folders are numbered as they appear, and a listing walks folders in the order they appeared:
 * smbclient's tar mode goes breadth first through a queue of folders, the local walk depth first.
 * So once an entry's parent folder is numbered above every folder a GPO has, no entry of that GPO
 * can follow. An entry whose parent never appeared as a folder proves nothing; the end of the
 * listing completes whatever is left.
 */
export class ListingCompletion<Item extends { finished: boolean }> {
  readonly #folderNumbers = new Map<string, number>([['', 0]]);
  /** GPOs seen and not yet complete, with the highest number among their folders. */
  readonly #open = new Map<Item, number>();
  #folders = 0;
  #parent = 0;

  /** Records an entry; returns the GPOs it shows to be complete. */
  next(path: string, isDirectory: boolean, item: Item | undefined): Item[] {
    const slash = path.lastIndexOf('/');
    const parent = this.#folderNumbers.get(slash < 0 ? '' : path.slice(0, slash));
    let number = 0;
    if (isDirectory) {
      number = ++this.#folders;
      this.#folderNumbers.set(path, number);
    }
    if (item && !item.finished) this.#open.set(item, Math.max(this.#open.get(item) ?? 0, number, parent ?? 0));
    if (parent === undefined || parent <= this.#parent) return [];
    this.#parent = parent;
    // Folders numbered below the one now listed are never a parent again (the walk takes them in order): forgotten, so
    // the map holds the folders still to be walked rather than every folder of the tree (60,000 for 10,000 GPOs).
    // A listing out of that order finds no number for such a parent, which proves nothing, as for any unknown parent.
    for (const [folder, folderNumber] of this.#folderNumbers) {
      if (folderNumber >= parent) break;
      this.#folderNumbers.delete(folder);
    }
    const complete: Item[] = [];
    for (const [open, highest] of this.#open) {
      if (highest < parent) {
        complete.push(open);
        this.#open.delete(open);
      }
    }
    return complete;
  }

  /** The end of the listing completes every GPO still open. */
  end(): Item[] {
    const rest = [...this.#open.keys()];
    this.#open.clear();
    return rest;
  }
}
