/* The field kit's service worker: serves the app shell from its cache so the kit opens without signal.
 * The server fills in VERSION (a hash of every shell file) and PRECACHE (their URLs). A new version
 * installs in the background and waits; the page offers it and the inspector chooses when to switch,
 * so an update never lands in the middle of an inspection. /api/ and /sync/ always go to the network. */
const VERSION = "%VERSION%";
const PRECACHE = ["%PRECACHE%"];
const CACHE = 'fieldkit-' + VERSION;

self.addEventListener('install', (event) => {
  // Without credentials: the shell is the same for everyone, and an answer must never carry a cookie
  // that could overwrite the session the page is using.
  const requests = PRECACHE.map((u) => new Request(u, {cache: 'reload', credentials: 'omit'}));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('fieldkit-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'activate-update') self.skipWaiting();
  if (event.data === 'version' && event.source) event.source.postMessage({version: VERSION});
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith('/app/') || url.pathname === '/app/sw.js') return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // Any page of the kit is the shell (routes live after the #).
    const key = event.request.mode === 'navigate' ? './' : event.request;
    const hit = await cache.match(key, {ignoreSearch: event.request.mode === 'navigate'});
    if (hit) return hit;
    return fetch(event.request);
  })());
});
