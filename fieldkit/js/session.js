// Who is using this phone: the signed-in inspector (server session cookie + CSRF token while online) and
// the profile kept on the phone so the kit works offline for days after one sign-in.
const PROFILE = 'fk.profile';

export function savedProfile() {
  try { return JSON.parse(localStorage.getItem(PROFILE) || 'null'); } catch { return null; }
}

function profileOf(user) {
  const hex = String(user.inspector_id || '').split(':')[1] || '';
  return {username: user.username, display_name: user.display_name, inspector_id: user.inspector_id,
          region: user.region, db: `inspector_${hex}`};
}

async function api(path, options = {}) {
  const res = await fetch(path, {credentials: 'same-origin', ...options,
                                 headers: {'Accept': 'application/json', ...(options.headers || {})}});
  const body = res.status === 204 ? {} : await res.json().catch(() => ({}));
  return {status: res.status, body};
}

/** The server's view of this session: {online, user, csrf}; offline → {online: false}. */
export async function whoAmI() {
  try {
    const {status, body} = await api('/api/v1/auth/me');
    if (status === 200) return {online: true, user: body.user, csrf: body.csrf_token};
    return {online: true, user: null, csrf: null};
  } catch {
    return {online: false, user: null, csrf: null};
  }
}

/** Sign in; returns {profile, csrf} or throws an Error whose message is the server's, or a message key. */
export async function login(username, password, current) {
  let csrf;
  try {
    csrf = (await api('/api/v1/auth/csrf')).body.csrf_token;
  } catch {
    throw new Error('fk.login.offline');
  }
  const {status, body} = await api('/api/v1/auth/login', {
    method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
    body: JSON.stringify({username, password}),
  });
  if (status !== 200) throw new Error(body.message || 'fk.login.failed');
  if (!['inspector', 'expert'].includes(body.user.role) || !body.user.inspector_id) {
    await logout(body.csrf_token);
    throw new Error('fk.login.not_field_user');
  }
  const profile = profileOf(body.user);
  if (current && current.username !== profile.username) {
    // Another inspector's unsynced work is on this phone: never mix two people's records.
    await logout(body.csrf_token);
    throw new Error('fk.login.other_user');
  }
  localStorage.setItem(PROFILE, JSON.stringify(profile));
  return {profile, csrf: body.csrf_token};
}

export async function logout(csrf) {
  try {
    await api('/api/v1/auth/logout', {method: 'POST', headers: {'X-CSRFToken': csrf || ''}});
  } catch { /* offline: the cookie ends by itself; the profile is removed below anyway */ }
}

export function forget() { localStorage.removeItem(PROFILE); }
