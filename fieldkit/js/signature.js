// A signature pad: strokes drawn with a finger (pointer events) on a canvas, kept as a PNG.

export function signaturePad(canvas) {
  const ctx = canvas.getContext('2d');
  let drawing = false;
  let strokes = 0;
  const ratio = window.devicePixelRatio || 1;
  const rect = () => canvas.getBoundingClientRect();

  function resize() {
    const box = rect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, box.width, box.height);
  }
  const point = (e) => ({x: e.clientX - rect().left, y: e.clientY - rect().top});
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    strokes += 1;
    canvas.setPointerCapture(e.pointerId);
    const p = point(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
  resize();
  return {
    isEmpty: () => strokes === 0,
    clear: () => { strokes = 0; ctx.setTransform(1, 0, 0, 1, 0, 0); resize(); },
    toBlob: () => new Promise((resolve) => canvas.toBlob(resolve, 'image/png')),
  };
}
