// A hazard (隐患): description, place, grade, proposed deadline, and photos taken here, each its own document.
import * as db from '../db.js';
import {t} from '../i18n.js';
import {button, field, h, show, toast, today} from '../ui.js';
import {takePhoto} from './record_edit.js';
import {photoStrip} from './items.js';

export async function hazardScreen(view, app, hazardId) {
  let hazard = await db.get(hazardId);
  if (!hazard) return show(view, h('p.empty', {}, t('fk.hazard.gone')));
  const inspection = await db.get(hazard.inspection);
  const editable = inspection?.status !== 'finished';
  const description = h('textarea', {name: 'description', rows: 4, maxLength: 2000, required: true,
                                     value: hazard.description, disabled: !editable});
  const location = h('input', {name: 'location', maxLength: 200, value: hazard.location || '', disabled: !editable});
  const deadline = h('input', {name: 'proposed_deadline', type: 'date', min: today(), value: hazard.proposed_deadline || '',
                               disabled: !editable});
  const grades = h('div.choices', {role: 'radiogroup'}, ['general', 'major'].map((grade) => h('label.choice', {},
    h('input', {type: 'radio', name: 'grade', value: grade, checked: hazard.grade === grade, disabled: !editable}),
    h('span', {}, t(`fk.grade.${grade}`)))));
  const collect = () => ({...hazard, description: description.value.trim(), location: location.value.trim(),
                          grade: grades.querySelector('input:checked')?.value || 'general',
                          proposed_deadline: deadline.value || null});
  const save = async () => {
    const next = collect();
    if (next.description.length < 2) { toast(t('fk.hazard.description_required'), 'error'); return false; }
    hazard = await db.save(next);
    return true;
  };
  const addPhoto = async (file) => {
    const id = await takePhoto(app, file, {task: hazard.task, inspection: hazard.inspection, hazard: hazard._id});
    if (!id) return;
    hazard = await db.save({...collect(), photos: [...(hazard.photos || []), id]});
    app.render();
  };
  show(view,
    h('h1', {}, t('fk.hazard.title')),
    h('form.card.hazard-form', {onsubmit: async (e) => { e.preventDefault(); if (await save()) app.go('inspection', hazard.inspection); }},
      field(t('fk.hazard.description'), description),
      field(t('fk.hazard.location'), location),
      h('fieldset', {}, h('legend', {}, t('fk.hazard.grade')), grades),
      field(t('fk.hazard.deadline'), deadline),
      h('h2', {}, t('fk.hazard.photos')),
      photoStrip(hazard.photos || [], {editable}, addPhoto, false),
      editable ? h('button.primary', {type: 'submit', 'data-t': 'save-hazard'}, t('fk.hazard.save')) : null),
    button(t('fk.back'), () => app.go('inspection', hazard.inspection)));
}
