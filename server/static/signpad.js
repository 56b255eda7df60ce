// The console's signature pad (plain JS, no library, served from the app so the CSP's script-src 'self'
// holds): strokes drawn with a pointer on a white canvas; on "save" the PNG goes in the form's hidden field.
(function () {
  'use strict';
  var canvas = document.getElementById('signpad');
  var form = document.getElementById('signform');
  if (!canvas || !form) return;
  var ctx = canvas.getContext('2d');
  var drawing = false;
  function blank() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
  }
  function point(e) {  // canvas pixels, whatever size CSS gives the element
    var box = canvas.getBoundingClientRect();
    return {x: (e.clientX - box.left) * canvas.width / box.width, y: (e.clientY - box.top) * canvas.height / box.height};
  }
  canvas.addEventListener('pointerdown', function (e) {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!drawing) return;
    var p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
  });
  ['pointerup', 'pointercancel'].forEach(function (name) { canvas.addEventListener(name, function () { drawing = false; }); });
  document.getElementById('signpad-clear').addEventListener('click', blank);
  form.addEventListener('submit', function (e) {
    var action = e.submitter ? e.submitter.value : 'sign';
    document.getElementById('sign-image').value = action === 'sign' ? canvas.toDataURL('image/png') : '';
  });
  blank();
}());
