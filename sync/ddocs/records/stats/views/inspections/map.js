function (doc) {
  // Finished inspections by the month they were finished (Asia/Shanghai), at every region scope above
  // the record's region: [scope, dimension, year, value, month, review_status] and, for the map export,
  // [scope, 'site', year, enterprise, site, lat, lng, enterprise_name, region, review_status].
  var region = doc.region;
  if (doc.type !== 'inspection' || doc.status !== 'finished' || typeof region !== 'string' ||
      !/^[1-9][0-9]{5}$/.test(region)) {
    return;
  }
  var stamp = Date.parse(doc.finished_at || doc.submitted_at || '');
  if (isNaN(stamp)) {
    return;
  }
  var local = new Date(stamp + 8 * 3600 * 1000);  // Asia/Shanghai: UTC+8, no daylight saving
  var year = local.getUTCFullYear();
  var month = local.getUTCMonth() + 1;
  var review = typeof doc.review_status === 'string' ? doc.review_status : 'pending';
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
  var team = [];
  (Array.isArray(doc.team) ? doc.team : []).forEach(function (member) {
    if (typeof member === 'string' && team.indexOf(member) < 0) {
      team.push(member);
    }
  });
  var at = doc.site_position;
  var placed = at && typeof at.lat === 'number' && typeof at.lng === 'number' && isFinite(at.lat) && isFinite(at.lng);
  var sector = typeof doc.sector === 'string' ? doc.sector : '';
  scopes.forEach(function (scope) {
    emit([scope, 'region', year, child(scope), month, review], null);
    emit([scope, 'sector', year, sector, month, review], null);
    team.forEach(function (member) {
      emit([scope, 'inspector', year, member, month, review], null);
    });
    if (placed) {
      emit([scope, 'site', year, String(doc.enterprise || ''), String(doc.site || ''), at.lat, at.lng,
            String(doc.enterprise_name || ''), region, review], null);
    }
  });
}
