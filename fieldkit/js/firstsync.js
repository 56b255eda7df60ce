// A fresh phone's first sync (issue 16): one pull to the end, with its progress, before the live sync starts.
// PouchDB's live sync says "paused" before its first pull has brought anything, so a new phone briefly showed
// "synced" with no tasks. Until this pull has completed once on this phone, nothing may say "synced".

/** Whole percent of a first pull (read of total documents); never 100 before the pull has completed. */
export function firstProgress(read, total) {
  if (!total || total < 0) return null;
  return Math.max(0, Math.min(99, Math.floor((read * 100) / total)));
}

/** The status to show: "synced" only once the first pull has completed on this phone. */
export function shownStatus(state) {
  if (state.status === 'synced' && !state.firstPullDone) return 'first_sync';
  return state.status;
}

/**
 * Pull everything from `remote` into `local` once (not live), reporting progress; resolves when the pull has
 * completed, rejects if it fails (offline, signed out: the caller retries). `onProgress({read, total})`
 * runs as batches arrive; `onDocs(docs)` gets each batch's documents (screens redraw what concerns them).
 * Returns {done: Promise, cancel()}.
 */
export function runFirstPull(local, remote, {batchSize, onProgress = () => {}, onDocs = () => {}}) {
  let total = null;
  let read = 0;
  const pull = local.replicate.from(remote, {batch_size: batchSize, batches_limit: 5});
  remote.info().then((info) => {
    total = Number(info.doc_count) || 0;
    onProgress({read, total});
  }).catch(() => {});
  pull.on('change', (info) => {
    read = info.docs_read;
    onProgress({read, total});
    onDocs(info.docs || []);
  });
  const done = new Promise((resolve, reject) => {
    pull.on('complete', (info) => {
      if (info && info.status === 'cancelled') return reject(new Error('cancelled'));
      if (info && info.ok === false) return reject(new Error('incomplete'));
      return resolve({read: info ? info.docs_read : read});
    });
    pull.on('error', reject);
  });
  done.catch(() => {});  // the caller handles it; no unhandled rejection when only cancelled
  return {done, cancel: () => pull.cancel()};
}
