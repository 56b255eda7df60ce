// What this phone wrote and the server has not confirmed yet: id → revision, kept in localStorage.
// Only the phone's own writes enter it (documents pulled from the server never do), and an entry leaves
// only when a push reports that revision written, or the server itself says it has it (_revs_diff).
const generation = (rev) => parseInt(String(rev).split('-')[0], 10) || 0;

export function outbox(name) {
  const read = () => { try { return JSON.parse(localStorage.getItem(name) || '{}'); } catch { return {}; } };
  const write = (box) => localStorage.setItem(name, JSON.stringify(box));
  return {
    ids: () => Object.keys(read()),
    entries: () => read(),
    add(id, rev) { const box = read(); box[id] = rev; write(box); },
    /** Docs a push wrote: each leaves unless the phone has written a newer revision since. */
    written(docs) {
      const box = read();
      for (const doc of docs) if (box[doc._id] && generation(doc._rev) >= generation(box[doc._id])) delete box[doc._id];
      write(box);
    },
    /** Keep only the ids the server still misses (the answer of _revs_diff). */
    keepMissing(missing) {
      const box = read();
      for (const id of Object.keys(box)) if (!(id in missing)) delete box[id];
      write(box);
    },
    clear: () => localStorage.removeItem(name),
  };
}
