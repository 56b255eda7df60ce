// Photos on the phone: downsized to the configured long edge and JPEG quality, then hashed (SHA-256) so
// the server can prove the bytes it files are the bytes taken here.

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A camera file → {blob, width, height, sha256}; orientation applied, never larger than `longEdge`. */
export async function preparePhoto(file, {long_edge: longEdge, quality}) {
  if (!(file instanceof Blob) || !file.size) throw new Error('fk.photo.empty');
  if (file.size > 40 * 1024 * 1024) throw new Error('fk.photo.too_large');
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, {imageOrientation: 'from-image'});
  } catch {
    throw new Error('fk.photo.not_image');
  }
  const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await canvas.convertToBlob({type: 'image/jpeg', quality});
  return {blob, width, height, sha256: await sha256Hex(blob)};
}
