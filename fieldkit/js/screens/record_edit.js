// Editing a record on the phone: answers, photos of answers, and a hazard opened from a failed item. Every
// write goes through db.update (one queue per record, always on its latest revision).
import * as db from '../db.js';
import {currentPosition} from '../geo.js';
import {itemFailed} from '../checklist.js';
import {t} from '../i18n.js';
import {foundText} from '../violation.js';
import {preparePhoto} from '../photo.js';
import {nowIso, toast} from '../ui.js';

const failure = (err, fallback) => toast(t(err.message?.startsWith('fk.') ? err.message : fallback), 'error');

function answerFor(doc, item) {
  const answers = doc.answers || (doc.answers = []);
  let answer = answers.find((a) => a.item === item.key);
  if (!answer) answers.push(answer = {item: item.key, value: null, note: '', photos: []});
  return answer;
}

/** The screen's state and what its controls do; `redraw.item(ctx, item)` / `redraw.panels(ctx)` repaint. */
export function makeContext(app, parts, redraw) {
  const ctx = {...parts, app, editable: parts.inspection.status !== 'finished'};
  ctx.persist = (change) => db.update(ctx.inspection._id, change)
    .then((doc) => { ctx.inspection = doc; })
    .catch((err) => failure(err, 'fk.error.save'));
  ctx.refreshPanels = () => redraw.panels(ctx);
  ctx.answer = (item, patch) => ctx.persist((doc) => Object.assign(answerFor(doc, item), patch)).then(() => {
    const opensHazard = 'value' in patch && item.major_if_failed && itemFailed(item, patch.value ?? null)
      && !ctx.hazards.some((hz) => hz.item === item.key);
    return opensHazard ? ctx.newHazard(item) : redraw.item(ctx, item);  // 重大事故隐患: opens filled in
  });
  ctx.newHazard = (item) => newHazard(ctx, item);
  ctx.addAnswerPhoto = async (item, file) => {
    const id = await takePhoto(app, file, {task: ctx.task._id, inspection: ctx.inspection._id, hazard: null});
    if (!id) return;
    await ctx.persist((doc) => {
      const answer = answerFor(doc, item);
      answer.photos = [...(answer.photos || []), id];
    });
    redraw.item(ctx, item);
  };
  return ctx;
}

/** A hazard record, filled in from the failed item when there is one (its violation wording and reading,
 * which the inspector may edit; the place; its grade). */
async function newHazard(ctx, item) {
  await db.settled(ctx.inspection._id);  // after the answer that led here is stored
  const answer = (ctx.inspection.answers || []).find((a) => a.item === item?.key);
  const hazard = await db.save({
    _id: `hazard:${crypto.randomUUID()}`, type: 'hazard', task: ctx.task._id, inspection: ctx.inspection._id,
    item: item?.key || null, description: item ? foundText(item, answer?.value) : '',
    location: ctx.inspection.place || '', grade: item?.major_if_failed ? 'major' : 'general',
    proposed_deadline: null, found_at: nowIso(), position: await currentPosition(5000), photos: answer?.photos || [],
  });
  ctx.app.go('hazard', hazard._id);
}

/** A photo from the camera, downsized and hashed, stored as its own document; returns its id. */
export async function takePhoto(app, file, links) {
  try {
    const [photo, position] = await Promise.all([preparePhoto(file, app.settings.photo), currentPosition(5000)]);
    const id = `photo:${crypto.randomUUID()}`;
    await db.savePhoto({_id: id, type: 'photo', ...links, sha256: photo.sha256, taken_at: nowIso(), position,
                        width: photo.width, height: photo.height}, photo.blob);
    return id;
  } catch (err) {
    failure(err, 'fk.photo.failed');
    return null;
  }
}
