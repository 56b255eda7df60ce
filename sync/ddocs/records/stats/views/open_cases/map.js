function (doc) {
  // Open hazard cases, two figures that depend on today rather than on a period:
  // - still waiting for rectification (found or ordered) with a deadline, keyed by the deadline so that
  //   one range query up to today counts those past due: [scope, dimension, 'overdue', deadline, value];
  // - major hazards listed for supervision (挂牌督办) and not closed: [scope, dimension, 'supervised', value].
  var region = doc.region;
  if (doc.type !== 'hazard_case' || doc.state === 'closed' || doc.state === 'void' ||
      typeof region !== 'string' || !/^[1-9][0-9]{5}$/.test(region)) {
    return;
  }
  var waiting = (doc.state === 'found' || doc.state === 'ordered') && typeof doc.deadline === 'string' &&
      /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(doc.deadline);
  var supervised = doc.supervised === true;
  var scopes = [''];
  [region.slice(0, 2) + '0000', region.slice(0, 4) + '00', region].forEach(function (code) {
    if (scopes.indexOf(code) < 0) {
      scopes.push(code);
    }
  });
  function child(scope) {
    if (scope === '') {
      return region.slice(0, 2) + '0000';
    }
    return scope.slice(2) === '0000' ? region.slice(0, 4) + '00' : region;
  }
  var sector = typeof doc.sector === 'string' ? doc.sector : '';
  scopes.forEach(function (scope) {
    [['region', child(scope)], ['sector', sector]].forEach(function (pair) {
      if (waiting) {
        emit([scope, pair[0], 'overdue', doc.deadline, pair[1]], null);
      }
      if (supervised) {
        emit([scope, pair[0], 'supervised', pair[1]], null);
      }
    });
  });
}
