/* Links to a PDF the server renders on request (class "pdf-progress"): rendering can take seconds, so a
 * click shows the link's data-busy text with a spinner, ignores further clicks until the file has come,
 * then hands the file to the browser as a download under the server's file name. Served from the app
 * (no CDN), no inline code: the Content-Security-Policy stays default-src 'self'. Without JavaScript the
 * link is a plain link. */
(function () {
  'use strict';

  function fileName(header) {
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header || '');
    if (star) {
      try { return decodeURIComponent(star[1]); } catch (e) { /* fall through to the plain name */ }
    }
    var plain = /filename="?([^";]+)"?/i.exec(header || '');
    return plain ? plain[1] : 'document.pdf';
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function finish(link, label, failed) {
    link.textContent = label;
    link.removeAttribute('aria-busy');
    link.classList.remove('busy');
    var note = link.parentNode.querySelector('.pdf-failed');
    if (note) { note.remove(); }
    if (failed) {
      note = document.createElement('span');
      note.className = 'pdf-failed error small';
      note.setAttribute('role', 'alert');
      note.textContent = ' ' + failed;
      link.after(note);
    }
  }

  function start(link) {
    if (link.getAttribute('aria-busy') === 'true') { return; }   // already on its way: one request only
    var label = link.textContent;
    link.setAttribute('aria-busy', 'true');
    link.classList.add('busy');
    link.textContent = link.dataset.busy || '…';
    fetch(link.href, { credentials: 'same-origin' }).then(function (resp) {
      if (!resp.ok) { throw new Error('HTTP ' + resp.status); }
      var name = fileName(resp.headers.get('Content-Disposition'));
      return resp.blob().then(function (blob) { save(blob, name); });
    }).then(function () { finish(link, label, ''); },
            function () { finish(link, label, link.dataset.failed || '!'); });
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a.pdf-progress') : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    start(link);
  });
}());
