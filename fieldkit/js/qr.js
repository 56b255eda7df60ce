// Site QR codes on the phone: reading what the camera sees (jsQR) and telling what the payload is.
// The phone cannot check the signature (only the server holds the keys); it checks the code is ours and
// names the task's site, and the worker verifies the signature when the record arrives.
const TOKEN = /^([0-9A-HJ-NP-RTUW-Y]{18})-(0[1-9]|[1-9][0-9])$/;
const MAX_PAYLOAD = 512;

/** The site id a printed site code stands for ("91370102MA3C5EXJ4X-01" → "site:…:01"), or null. */
export function siteFromToken(token) {
  const match = TOKEN.exec(String(token || '').trim().toUpperCase());
  return match ? `site:${match[1]}:${match[2]}` : null;
}

/** What a scanned payload is: {kind: 'ours', site} | {kind: 'foreign'} | {kind: 'malformed'}. */
export function readPayload(text, baseUrl) {
  if (typeof text !== 'string' || !text || text.length > MAX_PAYLOAD) return {kind: 'malformed'};
  let url;
  try { url = new URL(text.trim()); } catch { return {kind: 'foreign'}; }
  let base;
  try { base = new URL(baseUrl); } catch { return {kind: 'malformed'}; }
  const prefix = base.pathname.replace(/\/$/, '') + '/q/';
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix)) return {kind: 'foreign'};
  const site = siteFromToken(url.pathname.slice(prefix.length));
  const params = [...url.searchParams.keys()].sort().join(',');
  if (!site || params !== 'k,s') return {kind: 'malformed'};
  return {kind: 'ours', site};
}

// jsQR (57 KB gzipped) is needed only at the entrance of a site: loaded then, from the shell's cache.
let decoder = null;
function loadDecoder() {
  decoder = decoder || new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), {src: 'vendor/jsQR.js', async: true});
    script.onload = () => resolve(window.jsQR);
    script.onerror = () => { decoder = null; reject(new Error('fk.checkin.no_decoder')); };
    document.head.append(script);
  });
  return decoder;
}

/** Scans frames of a live camera stream until a QR code is read or `signal` aborts. */
export async function scanCamera(video, signal) {
  const jsQR = await loadDecoder();
  const stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}, audio: false});
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  try {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, 120));
      if (!video.videoWidth) continue;
      const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(frame.data, frame.width, frame.height, {inversionAttempts: 'attemptBoth'});
      if (code?.data) return code.data;
    }
    return null;
  } finally {
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  }
}
