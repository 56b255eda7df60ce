function (doc) {
  // Hazard cases (not void) by the month they were found (Asia/Shanghai), at every region scope above the
  // case's region: [scope, dimension, year, value, month, grade, state] and, for the map export,
  // [scope, 'enterprise', year, enterprise, grade, state]; self-reports only by source (see below).
  var region = doc.region;
  if (doc.type !== 'hazard_case' || doc.state === 'void' || typeof region !== 'string' ||
      !/^[1-9][0-9]{5}$/.test(region)) {
    return;
  }
  var stamp = Date.parse(doc.found_at || '');
  if (isNaN(stamp)) {
    return;
  }
  var local = new Date(stamp + 8 * 3600 * 1000);  // Asia/Shanghai: UTC+8, no daylight saving
  var year = local.getUTCFullYear();
  var month = local.getUTCMonth() + 1;
  var grade = String(doc.grade);
  var state = String(doc.state);
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
  // Where the case came from (issue 15); a missing source is an old case, found on inspection. The
  // region, sector and enterprise figures are hazards found by inspectors: enterprises' self-reports are
  // counted only under [scope, 'source', year, source, month, grade, state].
  var source = typeof doc.source === 'string' && doc.source ? doc.source : 'inspection';
  scopes.forEach(function (scope) {
    emit([scope, 'source', year, source, month, grade, state], null);
    if (source === 'self_report') {
      return;
    }
    emit([scope, 'region', year, child(scope), month, grade, state], null);
    emit([scope, 'sector', year, sector, month, grade, state], null);
    emit([scope, 'enterprise', year, String(doc.enterprise || ''), grade, state], null);
  });
}
