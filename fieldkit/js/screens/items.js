// One checklist item on the inspection screen: its text and legal basis, the answer by item type, a note,
// photos, and the hazard it led to.
import * as db from '../db.js';
import {answerOf, itemFailed} from '../checklist.js';
import {pick, t} from '../i18n.js';
import {h} from '../ui.js';

const CHOICES = {yes_no_na: ['yes', 'no', 'na'], pass_fail: ['pass', 'fail']};

export function itemCard(item, ctx) {
  const answer = answerOf(ctx.inspection, item.key) || {item: item.key, value: null, note: '', photos: []};
  const failed = itemFailed(item, answer.value);
  const hazard = ctx.hazards.find((hz) => hz.item === item.key);
  const comment = ctx.review?.decision === 'returned' ? ctx.review.items?.[item.key] : null;
  return h(`li.card.item${failed ? '.failed' : ''}${item.major_if_failed ? '.major' : ''}`,
    {'data-t': 'item', dataset: {item: item.key, kind: item.answer, answer: String(answer.value ?? ''),
                                 photos: String((answer.photos || []).length), min: item.min ?? '', max: item.max ?? '',
                                 photoRequired: item.photo_required ? '1' : ''}},
    h('p.text', {}, pick(item.text)),
    item.basis ? h('p.basis', {}, t('fk.item.basis', {basis: item.basis})) : null,
    item.major_if_failed ? h('p.flag', {}, t('fk.item.major_if_failed')) : null,
    item.deadline ? h('p.basis', {}, t('fk.item.deadline', {date: item.deadline})) : null,
    comment ? h('p.review-comment', {'data-t': 'item-comment'}, t('fk.review.item_comment', {text: comment})) : null,
    answerControl(item, answer, ctx),
    ctx.editable || answer.note ? noteField(item, answer, ctx) : null,
    photoStrip(answer.photos || [], ctx, (file) => ctx.addAnswerPhoto(item, file),
               item.photo_required && answer.value !== 'na'),
    failed ? hazardLink(item, hazard, ctx) : null);
}

function answerControl(item, answer, ctx) {
  const name = `answer-${item.key}`;
  if (CHOICES[item.answer]) {
    return h('div.choices', {role: 'radiogroup'}, CHOICES[item.answer].map((value) => h('label.choice', {},
      h('input', {type: 'radio', name, value, checked: answer.value === value, disabled: !ctx.editable,
                  onchange: () => ctx.answer(item, {value})}),
      h('span', {}, t(`fk.answer.${value}`)))));
  }
  const na = answer.value === 'na';
  if (item.answer === 'number') {
    return h('div.number-answer', {}, h('label.number', {}, h('input', {type: 'number', name, inputMode: 'decimal', step: 'any',
      value: na ? '' : (answer.value ?? ''), disabled: !ctx.editable || na,
      onchange: (e) => ctx.answer(item, {value: e.target.value === '' ? null : Number(e.target.value)})}),
    h('span.unit', {}, item.unit || ''),
    rangeHint(item)), notApplicable(item, na, ctx));
  }
  return h('div.text-answer', {}, h('textarea', {name, rows: 2, maxLength: 2000, value: na ? '' : (answer.value ?? ''),
                                                 disabled: !ctx.editable || na,
                                                 onchange: (e) => ctx.answer(item, {value: e.target.value || null})}),
           notApplicable(item, na, ctx));
}

/** 不适用 for a number or text item: no invented reading at a firm the item does not concern. */
function notApplicable(item, na, ctx) {
  return h('label.choice.na', {}, h('input', {type: 'checkbox', name: `na-${item.key}`, checked: na, disabled: !ctx.editable,
                                              'data-t': 'item-na', onchange: (e) => ctx.answer(item, {value: e.target.checked ? 'na' : null})}),
           h('span', {}, t('fk.answer.na')));
}

/** The compliant range of a number item: both bounds, or the one that is set. */
function rangeHint(item) {
  const low = item.min != null, high = item.max != null;
  if (!low && !high) return null;
  const key = low && high ? 'fk.item.range' : (low ? 'fk.item.min' : 'fk.item.max');
  return h('span.hint', {}, t(key, {min: item.min, max: item.max}));
}

function noteField(item, answer, ctx) {
  return h('textarea.note', {name: `note-${item.key}`, rows: 1, maxLength: 1000, placeholder: t('fk.item.note'),
                             value: answer.note || '', disabled: !ctx.editable,
                             onchange: (e) => ctx.answer(item, {note: e.target.value})});
}

function hazardLink(item, hazard, ctx) {
  if (hazard) {
    return h('a.hazard-link', {href: `#/hazard/${encodeURIComponent(hazard._id)}`, 'data-t': 'item-hazard'},
             t('fk.item.hazard_recorded', {grade: t(`fk.grade.${hazard.grade}`)}));
  }
  return ctx.editable ? h('button', {type: 'button', onclick: () => ctx.newHazard(item)}, t('fk.item.record_hazard')) : null;
}

/** Thumbnails of photos (each its own document) and, when editable, a camera button. */
export function photoStrip(ids, ctx, onFile, required) {
  const strip = h('div.photos', {'data-t': 'photos'});
  for (const id of ids) {
    const img = h('img.thumb', {alt: t('fk.photo.alt'), 'data-t': 'photo'});
    db.attachmentUrl(id, 'photo.jpg').then((url) => { if (url) img.src = url; });
    strip.append(img);
  }
  if (ctx.editable) {
    const input = h('input', {type: 'file', accept: 'image/jpeg,image/*', capture: 'environment', hidden: true,
                              'data-t': 'photo-input', onchange: (e) => { const f = e.target.files[0]; e.target.value = ''; if (f) onFile(f); }});
    strip.append(h('label.camera-button', {}, input, t(required && !ids.length ? 'fk.photo.required' : 'fk.photo.take')));
  }
  return strip;
}
