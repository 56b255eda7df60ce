function (doc) {
  // One view for the console's lists (review queue, hazard register, hazards of an inspection). One view,
  // not several: pouchdb-server builds each view in its own pass over every document, and the cost is per
  // document far more than per row emitted. Rows are told apart by their first element (the family).
  // Region scope is a prefix of the 6-digit code, so each row is emitted once per prefix ('' = all,
  // province, prefecture, county): a scope is then one key range, and paging is by key.
  function prefixes(region) {
    return ['', region.substring(0, 2), region.substring(0, 4), region];
  }
  function each(list, fn) {
    for (var i = 0; i < list.length; i++) { fn(list[i]); }
  }
  if (typeof doc.region !== 'string' || doc.region.length !== 6) { return; }
  var ps = prefixes(doc.region);
  if (doc.type === 'inspection' && typeof doc.submitted_at === 'string') {
    var status = doc.review_status, at = doc.submitted_at;
    var verdict = (doc.checkin_verdict && doc.checkin_verdict.overall) || 'warning';
    var counts = doc.hazards || {};
    var major = counts.major || 0;
    var row = [status, doc.region, doc.sector || '', doc.plan || '', verdict, major, counts.general || 0,
               doc.enterprise_name || '', doc.inspector || '', doc.task_kind || '', doc.number || ''];
    each([status, '*'], function (s) {
      each(ps, function (p) {
        emit(['q', s, p, at, doc._id], row);
        emit(['qs', doc.sector || '', s, p, at, doc._id], row);
        if (major > 0) { emit(['qm', s, p, at, doc._id], row); }
        if (verdict !== 'ok') { emit(['qw', s, p, at, doc._id], row); }
      });
    });
    emit(['qp', doc.plan || '', at, doc._id], row);
  } else if (doc.type === 'hazard' && typeof doc.inspection === 'string') {
    emit(['hi', doc.inspection, doc._id], doc.grade);
  } else if (doc.type === 'hazard_case' && typeof doc.found_at === 'string') {
    var found = doc.found_at;
    var line = [doc.state, doc.grade, doc.region, doc.sector || '', doc.supervised ? 1 : 0, doc.deadline || '',
                doc.escalated_to || '', found, doc.enterprise_name || '', (doc.description || '').substring(0, 80),
                (doc.location || '').substring(0, 40), doc.inspection || '',
                doc.deadline_provisional ? 1 : 0,
                // added last (issue 15), so earlier positions keep their meaning: where the hazard came from
                // (a missing source is an old case, found on inspection) and the 挂牌督办 level, if listed.
                doc.source || 'inspection',
                (doc.supervised && doc.supervision && !doc.supervision.lifted && doc.supervision.level) || ''];
    // '*' (every state) leaves out void cases: the hazards of rejected records are no part of the register.
    each(doc.state === 'void' ? ['void'] : [doc.state, '*'], function (s) {
      each(ps, function (p) {
        emit(['c', s, p, found, doc._id], line);
        emit(['cs', doc.sector || '', s, p, found, doc._id], line);
        if (doc.grade === 'major') { emit(['cm', s, p, found, doc._id], line); }
      });
    });
    if (doc.state === 'ordered' && doc.deadline) {
      each(ps, function (p) { emit(['cd', p, doc.deadline, doc._id], line); });
    }
    if (doc.escalated_to) { emit(['ce', doc.escalated_to, found, doc._id], line); }
  }
}
