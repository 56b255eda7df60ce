// The public report form's proof of work (server/reports/public_abuse.py): find a nonce whose SHA-256 over
// "challenge:nonce" starts with the challenge's number of zero bits, then let the form be sent. Web Crypto
// where the page is a secure context (HTTPS, localhost); a small SHA-256 below otherwise (plain HTTP on an
// intranet), so the form works offline from any third party. Also checks photo count and size before
// sending, so a too-large upload is refused here with the form intact.
(function () {
  'use strict';
  var form = document.getElementById('report-form');
  // The plain-JS hash is reachable for the e2e test, which compares it with Python's hashlib.
  window.reportPowSha256 = function (text) { return hex(sha256(utf8(text))); };
  if (!form) { return; }
  var state = document.getElementById('pow-state');
  var button = document.getElementById('report-submit');
  var challenge = form.elements.pow_challenge.value;
  var bits = parseInt(challenge.split('.')[2], 10);
  var done = false, wanted = false;

  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      var b = bytes[i];
      while ((b & 0x80) === 0) { n += 1; b <<= 1; }
      return n;
    }
    return n;
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1,
    0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
    0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3,
    0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb,
    0xbef9a3f7, 0xc67178f2];

  function sha256(msg) {  // FIPS 180-4, for pages that are not a secure context
    var len = msg.length, total = ((len + 9 + 63) >> 6) << 6, m = new Uint8Array(total);
    m.set(msg); m[len] = 0x80;
    var bitLen = len * 8;
    m[total - 4] = (bitLen >>> 24) & 255; m[total - 3] = (bitLen >>> 16) & 255;
    m[total - 2] = (bitLen >>> 8) & 255; m[total - 1] = bitLen & 255;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < total; off += 64) {
      for (var i = 0; i < 16; i++) {
        w[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
      }
      for (i = 16; i < 64; i++) {
        var a0 = w[i - 15], a1 = w[i - 2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h = [h[0] + a, h[1] + b, h[2] + c, h[3] + d, h[4] + e, h[5] + f, h[6] + g, h[7] + k].map(function (x) { return x | 0; });
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) {
      out[4 * i] = (h[i] >>> 24) & 255; out[4 * i + 1] = (h[i] >>> 16) & 255;
      out[4 * i + 2] = (h[i] >>> 8) & 255; out[4 * i + 3] = h[i] & 255;
    }
    return out;
  }

  function digest(text) {
    if (window.crypto && window.crypto.subtle && window.isSecureContext) {
      return window.crypto.subtle.digest('SHA-256', utf8(text)).then(function (b) { return new Uint8Array(b); });
    }
    return Promise.resolve(sha256(utf8(text)));
  }

  function search(start) {
    // Batches of 500 keep the page responsive; each batch yields to the event loop.
    var nonce = start, end = start + 500;
    function step() {
      if (nonce >= end) { return setTimeout(function () { search(end); }, 0); }
      var candidate = nonce;
      return digest(challenge + ':' + candidate).then(function (bytes) {
        if (zeroBits(bytes) >= bits) { return finish(String(candidate)); }
        nonce += 1;
        return step();
      });
    }
    step();
  }

  function finish(nonce) {
    form.elements.pow_nonce.value = nonce;
    done = true;
    state.textContent = form.dataset.msgReady;
    if (wanted) { form.submit(); }
  }

  function photosOk() {
    var input = form.elements.photos;
    if (!input || !input.files) { return true; }
    var max = parseInt(form.dataset.maxPhotos, 10), bytes = parseInt(form.dataset.maxBytes, 10);
    if (input.files.length > max) { state.textContent = form.dataset.msgTooMany; return false; }
    for (var i = 0; i < input.files.length; i++) {
      if (input.files[i].size > bytes) { state.textContent = form.dataset.msgTooBig; return false; }
    }
    return true;
  }

  form.addEventListener('submit', function (event) {
    if (!photosOk()) { event.preventDefault(); return; }
    if (!done) {
      event.preventDefault();
      wanted = true;
      state.textContent = form.dataset.msgWorking;
      button.disabled = true;
    }
  });
  state.textContent = form.dataset.msgWorking;
  search(0);
}());
