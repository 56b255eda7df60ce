function (doc) {
  // Checklist items checked (检查事项数) in finished inspections, by the month they were finished
  // (Asia/Shanghai): [scope, dimension, year, value, month, review_status] -> items checked, summed.
  // An item answered 不适用 (na) or left unanswered is not checked (issue 13), as in 一公开.
  var region = doc.region;
  if (doc.type !== 'inspection' || doc.status !== 'finished' || typeof region !== 'string' ||
      !/^[1-9][0-9]{5}$/.test(region) || !Array.isArray(doc.answers)) {
    return;
  }
  var stamp = Date.parse(doc.finished_at || doc.submitted_at || '');
  if (isNaN(stamp)) {
    return;
  }
  var checked = 0;
  doc.answers.forEach(function (answer) {
    var value = answer && answer.value;
    if (value !== null && value !== undefined && value !== '' && value !== 'na') {
      checked += 1;
    }
  });
  var local = new Date(stamp + 8 * 3600 * 1000);  // Asia/Shanghai: UTC+8, no daylight saving
  var year = local.getUTCFullYear();
  var month = local.getUTCMonth() + 1;
  var review = typeof doc.review_status === 'string' ? doc.review_status : 'pending';
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
    emit([scope, 'region', year, child(scope), month, review], checked);
    emit([scope, 'sector', year, sector, month, review], checked);
  });
}
