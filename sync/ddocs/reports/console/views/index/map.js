function (doc) {
  // The triage console's rows over the `reports` database (server/reports/triage.py), told apart by their
  // first element like the records console view. The reporter's identity and receipt are never emitted:
  // a row carries only what the queue shows. Region scope is a prefix ('' = all, province, prefecture,
  // county), so a scope is one key range and paging is by key.
  if (doc.type !== 'report' || typeof doc.region !== 'string' || doc.region.length !== 6) { return; }
  if (typeof doc.received_at !== 'string') { return; }
  var at = doc.received_at;
  var ps = ['', doc.region.substring(0, 2), doc.region.substring(0, 4), doc.region];
  var photos = doc._attachments ? Object.keys(doc._attachments).length : 0;
  var row = [doc.status, doc.region, doc.enterprise_name || '', (doc.text || '').substring(0, 80),
             doc.channel || '', doc.duplicate_of || '', photos, doc.site || '', doc.enterprise || ''];
  var states = [doc.status, '*'];
  if (doc.status === 'received' && !doc.duplicate_of) { states.push('open'); }
  for (var i = 0; i < states.length; i++) {
    for (var j = 0; j < ps.length; j++) { emit(['r', states[i], ps[j], at, doc._id], row); }
  }
  // Possible duplicates: earlier reports about the same site, or the same enterprise (by USCC, else by name).
  if (doc.site) { emit(['ds', doc.site, at, doc._id], null); }
  if (doc.enterprise) { emit(['de', doc.enterprise, at, doc._id], null); }
  if (doc.enterprise_name) { emit(['dn', doc.region.substring(0, 4), doc.enterprise_name, at, doc._id], null); }
}
