// What a signature signs (pure): the record's canonical content and its SHA-256. The same rule is written
// in Python (schemas/signed_content.py); both are held to the shared test vectors in
// data/test-vectors/signed-content.json, so the phone and the server can never disagree on a hash.
// Definition (docs/decisions/0013-signed-content-and-one-authority.md): the findings, answers, hazards, times and people of
// a record — never its sync metadata, status, finish time, signatures, review or corrections.

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
const ror = (x, n) => (x >>> n) | (x << (32 - n));

/** SHA-256 of a string's UTF-8 bytes, as lowercase hex. Written out (FIPS 180-4) rather than taken from
 * crypto.subtle, which is asynchronous and absent outside secure contexts: signing must work offline. */
export function sha256Hex(text) {
  const bytes = new TextEncoder().encode(text);
  const total = (((bytes.length + 9) >> 6) + 1) << 6;
  const buf = new Uint8Array(total);
  buf.set(bytes);
  buf[bytes.length] = 0x80;
  const view = new DataView(buf.buffer);
  view.setUint32(total - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(total - 4, (bytes.length * 8) >>> 0);
  const hash = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const w = new Uint32Array(64);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i += 1) {
      const s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let i = 0; i < 64; i += 1) {
      const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, h].forEach((v, i) => { hash[i] = (hash[i] + v) >>> 0; });
  }
  return hash.map((x) => x.toString(16).padStart(8, '0')).join('');
}

/** Strings compared by code point (as Python compares them), not by UTF-16 unit. */
export function byCodePoint(x, y) {
  const a = Array.from(x, (ch) => ch.codePointAt(0));
  const b = Array.from(y, (ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** JSON with keys sorted by code point, no spaces; numbers as ECMAScript writes them; not finite → null. */
export function canonicalJson(value, depth = 0) {
  if (depth > 32) throw new Error('fk.sig.too_deep');
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], depth + 1)}`).join(',')}}`;
}

const or = (value, fallback) => (value === undefined || value === null ? fallback : value);
const person = (p) => (p && typeof p === 'object' ? {name: or(p.name, ''), role: or(p.role, ''), phone: or(p.phone, '')} : null);
const list = (value) => (Array.isArray(value) ? value : []);
const sortedBy = (rows, key) => rows.map((r) => [canonicalJson(key(r)), canonicalJson(r), r])
  .sort((x, y) => byCodePoint(x[0], y[0]) || byCodePoint(x[1], y[1])).map((x) => x[2]);

/** The canonical content of a record and its hazards (version 1). */
export function signedContent(inspection, hazards) {
  const answers = list(inspection.answers).filter((a) => a && typeof a === 'object')
    .map((a) => ({item: or(a.item, null), value: or(a.value, null), note: or(a.note, ''), photos: list(a.photos)}))
    .filter((a) => a.value !== null || a.note !== '' || a.photos.length);
  const found = list(hazards).filter((hz) => hz && typeof hz === 'object' && !hz._deleted)
    .map((hz) => ({id: or(hz._id, null), item: or(hz.item, null), description: or(hz.description, ''),
                   location: or(hz.location, ''), grade: or(hz.grade, null),
                   proposed_deadline: or(hz.proposed_deadline, null), found_at: or(hz.found_at, null),
                   photos: list(hz.photos)}));
  const checkin = inspection.checkin && typeof inspection.checkin === 'object' ? inspection.checkin : {};
  return {
    v: 1, record: or(inspection._id, null), task: or(inspection.task, null), checklist: or(inspection.checklist, null),
    started_at: or(inspection.started_at, null), checked_in_at: or(checkin.scanned_at, null),
    place: or(inspection.place, ''), purpose: or(inspection.purpose, ''),
    manager: person(inspection.manager), witness: person(inspection.witness), experts: list(inspection.experts),
    answers: sortedBy(answers, (a) => a.item), hazards: sortedBy(found, (hz) => hz.id),
  };
}

export const contentHash = (inspection, hazards) => sha256Hex(canonicalJson(signedContent(inspection, hazards)));

/** 'signed' | 'refused' (both bound to this content), 'void' (bound to other content), 'unbound' (no hash). */
export function signatureState(signature, hash) {
  if (!signature?.content_sha256) return 'unbound';
  if (signature.content_sha256 !== hash) return 'void';
  return signature.refused ? 'refused' : 'signed';
}

/** The signatures that still hold for the record as it is now (signed or refused this very content). */
export function currentSignatures(inspection, hazards) {
  const hash = contentHash(inspection, hazards);
  return (inspection.signatures || []).filter((s) => ['signed', 'refused'].includes(signatureState(s, hash)));
}
