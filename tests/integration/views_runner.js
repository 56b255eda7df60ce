// Runs design-document views over documents in an in-memory PouchDB (pouchdb-server's own modules) and
// prints every view's rows, mapped and reduced: `node [-r sync/pouchdb_views.js] views_runner.js job.json`.
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.resolve(__dirname, '..', '..', 'node_modules');
const PouchDB = require(path.join(modules, 'pouchdb-core'))
  .plugin(require(path.join(modules, 'pouchdb-adapter-memory')))
  .plugin(require(path.join(modules, 'pouchdb-mapreduce')));

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const db = new PouchDB('views-' + process.pid, {adapter: 'memory'});
  await db.bulkDocs(job.docs.concat([job.ddoc]));
  const name = job.ddoc._id.split('/')[1];
  const out = {};
  for (const view of Object.keys(job.ddoc.views)) {
    const mapped = await db.query(name + '/' + view, {reduce: false});
    const reduced = await db.query(name + '/' + view, {group: true});
    out[view] = {mapped: mapped.rows, reduced: reduced.rows};
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
