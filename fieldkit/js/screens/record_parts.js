// Parts of the inspection screen: what the server said about the record (review, rejections) and signatures.
import * as db from '../db.js';
import {isCorrected} from '../checklist.js';
import {contentHash, signatureState} from '../content.js';
import {startCorrection} from '../corrections.js';
import {pick, showTime, t} from '../i18n.js';
import {button, h, nowIso} from '../ui.js';

export function feedbackPanel(ctx) {
  const {inspection, review, rejections} = ctx;
  const mine = [inspection._id, ...ctx.hazards.map((d) => d._id), ...ctx.photos.map((d) => d._id)]
    .map((id) => rejections.get(id)).filter(Boolean);
  const parts = [];
  if (review) {
    const open = review.decision === 'returned' && !isCorrected(inspection, review) && inspection.status === 'finished';
    parts.push(h(`div.review.${review.decision}`, {'data-t': 'review'},
      h('strong', {}, t(`fk.review.${review.decision}`)),
      h('span.by', {}, ` · ${review.by_name || ''} · ${showTime(review.at)}`),
      review.comments ? h('p.comments', {'data-t': 'review-comments'}, review.comments) : null,
      open ? button(t('fk.review.correct'), async () => {
        await db.reopen(inspection, review, {correcting: startCorrection(inspection, ctx.hazards, nowIso())});
        ctx.app.render();
      },
                    'primary') : null));
  }
  for (const rejection of mine) {
    const own = rejection.doc === inspection._id && inspection.status === 'finished';
    parts.push(h('div.rejection', {'data-t': 'rejection', dataset: {code: rejection.code}},
      h('strong', {}, t('fk.rejection.title')), ' ', pick(rejection.message),
      own ? button(t('fk.rejection.correct'), async () => {
        await db.reopen(inspection, {ref: inspection.corrects || null},
                        {correcting: startCorrection(inspection, ctx.hazards, nowIso())});
        ctx.app.render();
      }) : null));
  }
  return parts.length ? h('section.feedback', {}, parts) : null;
}

/** Who must sign: the team's inspectors, the site's manager, the witness if there is one. */
export function signers(ctx) {
  const team = (ctx.task.team || []).filter((m) => m.kind !== 'expert');
  const list = team.map((m, i) => ({slot: `inspector-${i + 1}`, signer: 'inspector', name: m.name}));
  list.push({slot: 'manager', signer: 'manager', name: ctx.inspection.manager?.name || ''});
  if (ctx.inspection.witness?.name) list.push({slot: 'witness', signer: 'witness', name: ctx.inspection.witness.name});
  return list;
}

/** The signature (or refusal) of one signer, matched by role and name (the record keeps no slot). */
export function signatureFor(inspection, who) {
  return (inspection.signatures || []).find((s) => s.signer === who.signer && s.name === who.name);
}

export function signaturesPanel(ctx) {
  const hash = contentHash(ctx.inspection, ctx.hazards);
  const rows = signers(ctx).map((who) => {
    const found = signatureFor(ctx.inspection, who);
    const state = found ? signatureState(found, hash) : 'missing';
    // a signature of other content is void: never shown as if it signed what the record says now
    const signed = ['signed', 'refused'].includes(state) ? found : null;
    const img = h('img.signature', {alt: who.name});
    if (signed?.attachment) db.attachmentUrl(ctx.inspection._id, signed.attachment).then((u) => { if (u) img.src = u; });
    return h('li.card.signer', {'data-t': 'signer', dataset: {slot: who.slot, state}},
      h('span.who', {}, `${t(`fk.signer.${who.signer}`)}：${who.name || t('fk.signer.no_name')}`),
      signed?.refused ? h('span.refused', {}, t('fk.signer.refused', {note: signed.refusal_note || ''}))
        : signed ? img : found ? h('span.void', {'data-t': 'signature-void'}, t('fk.sig.void', {at: showTime(found.at)}))
          : h('span.missing', {}, t('fk.signer.missing')),
      ctx.editable && who.name ? button(signed ? t('fk.signer.redo') : found ? t('fk.sig.resign') : t('fk.signer.sign'),
                                        () => ctx.app.go('sign', ctx.inspection._id, who.slot)) : null);
  });
  return h('section.signatures', {'data-t': 'signatures'}, h('h2', {}, t('fk.signer.title')), h('ul.cards', {}, rows));
}
