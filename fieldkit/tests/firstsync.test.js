// A fresh phone's first sync (issue 16): progress while the first pull runs, never "synced" before it completed.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import PouchDB from 'pouchdb';
import memory from 'pouchdb-adapter-memory';

import {firstProgress, runFirstPull, shownStatus} from '../js/firstsync.js';

PouchDB.plugin(memory);
let dbs = 0;
const db = () => new PouchDB(`firstsync-${process.pid}-${dbs++}`, {adapter: 'memory'});

test('progress: unknown until the total is known, whole percents, never 100 before the pull completed', () => {
  assert.equal(firstProgress(0, null), null);
  assert.equal(firstProgress(5, 0), null);
  assert.equal(firstProgress(0, 80), 0);
  assert.equal(firstProgress(40, 80), 50);
  assert.equal(firstProgress(80, 80), 99);
  assert.equal(firstProgress(95, 80), 99);   // documents written on the server meanwhile
});

test('a fresh phone never shows "synced" before its first pull completed', () => {
  assert.equal(shownStatus({status: 'synced', firstPullDone: false}), 'first_sync');
  assert.equal(shownStatus({status: 'synced'}), 'first_sync');
  assert.equal(shownStatus({status: 'synced', firstPullDone: true}), 'synced');
  assert.equal(shownStatus({status: 'retrying', firstPullDone: false}), 'retrying');
});

test('the first pull reports its progress batch by batch and completes with every document', async () => {
  const remote = db();
  const local = db();
  await remote.bulkDocs(Array.from({length: 137}, (_, i) => ({_id: `task:${String(i).padStart(4, '0')}`, n: i})));
  const seen = [];
  const batches = [];
  const pull = runFirstPull(local, remote, {batchSize: 20, onProgress: (p) => seen.push(p),
                                            onDocs: (docs) => batches.push(docs.length)});
  const result = await pull.done;
  assert.equal(result.read, 137);
  assert.equal((await local.info()).doc_count, 137);
  const reads = seen.map((p) => p.read);
  assert.deepEqual(reads, [...reads].sort((a, b) => a - b));            // only forward
  assert.ok(seen.some((p) => p.total === 137 && p.read < 137), 'progress shown before the end');
  assert.ok(seen.every((p) => firstProgress(p.read, p.total) === null || firstProgress(p.read, p.total) < 100));
  assert.ok(batches.length >= 7 && batches.every((n) => n <= 20));
  await Promise.all([local.destroy(), remote.destroy()]);
});

test('a first pull that cannot reach the server fails, so the caller retries instead of saying "synced"', async () => {
  const local = db();
  const unreachable = new PouchDB('http://127.0.0.1:9/inspector_000000000000', {skip_setup: true});
  const pull = runFirstPull(local, unreachable, {batchSize: 20});
  await assert.rejects(pull.done);
  await local.destroy();
});
