function (doc) {
  // Major hazards (重大事故隐患, not void) by the year they were found (Asia/Shanghai), at every region scope
  // above the case's region: [scope, dimension, year, value, state] for the dimensions region (the child
  // region one level down), sector, source (where the case came from) and level (the 挂牌督办 level in
  // force: county, city or province, or 'none').
  var region = doc.region;
  if (doc.type !== 'hazard_case' || doc.grade !== 'major' || doc.state === 'void' ||
      typeof region !== 'string' || !/^[1-9][0-9]{5}$/.test(region)) {
    return;
  }
  var stamp = Date.parse(doc.found_at || '');
  if (isNaN(stamp)) {
    return;
  }
  var year = new Date(stamp + 8 * 3600 * 1000).getUTCFullYear();  // Asia/Shanghai: UTC+8
  var state = String(doc.state);
  var source = typeof doc.source === 'string' && doc.source ? doc.source : 'inspection';
  var listed = doc.supervised === true && doc.supervision && !doc.supervision.lifted;
  var level = listed && typeof doc.supervision.level === 'string' ? doc.supervision.level : 'none';
  var sector = typeof doc.sector === 'string' ? doc.sector : '';
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
  scopes.forEach(function (scope) {
    emit([scope, 'region', year, child(scope), state], null);
    emit([scope, 'sector', year, sector, state], null);
    emit([scope, 'source', year, source, state], null);
    emit([scope, 'level', year, level, state], null);
  });
}
