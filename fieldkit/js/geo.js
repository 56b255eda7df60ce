// Position on the phone: raw WGS-84 with its accuracy, and the same geofence rule the worker applies.
const EARTH_RADIUS_M = 6371008.8;
const rad = (deg) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine), both points WGS-84. */
export function distanceM(lat1, lng1, lat2, lng2) {
  const dp = rad(lat2 - lat1);
  const dl = rad(lng2 - lng1);
  const a = Math.sin(dp / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dl / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** ok / uncertain (outside, but within the fix's own error) / outside / no_position / no_site_position. */
export function geofence(position, site) {
  if (!position) return {state: 'no_position'};
  if (site?.lat == null || site?.lng == null) return {state: 'no_site_position'};
  const distance = distanceM(position.lat, position.lng, site.lat, site.lng);
  const radius = site.radius_m || 300;
  let state = 'outside';
  if (distance <= radius) state = 'ok';
  else if (distance - position.accuracy_m <= radius) state = 'uncertain';
  return {state, distance: Math.round(distance), radius, accuracy: Math.round(position.accuracy_m)};
}

/** One fix from the phone, or null when there is none (denied, no signal, timeout): never throws. */
export function currentPosition(timeoutMs = 15000) {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({lat: pos.coords.latitude, lng: pos.coords.longitude,
                        accuracy_m: Math.max(0, Math.min(100000, pos.coords.accuracy || 0)), crs: 'WGS84',
                        at: new Date(pos.timestamp || Date.now()).toISOString()}),
      () => resolve(null),
      {enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30000});
  });
}
