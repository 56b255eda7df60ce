// Signing on screen (inspector, the site's manager, a witness), or recording that the person refused.
import * as db from '../db.js';
import {t} from '../i18n.js';
import {contentHash} from '../content.js';
import {signaturePad} from '../signature.js';
import {button, field, h, nowIso, show, toast} from '../ui.js';
import {signatureFor, signers} from './record_parts.js';

export async function signScreen(view, app, inspectionId, slot) {
  const inspection = await db.get(inspectionId);
  const task = inspection && await db.get(inspection.task);
  const who = task && signers({task, inspection}).find((s) => s.slot === slot);
  if (!who || inspection.status === 'finished') return app.go('inspection', inspectionId);
  const canvas = h('canvas.pad', {'data-t': 'pad', width: 600, height: 240});
  const note = h('textarea', {name: 'refusal_note', rows: 2, maxLength: 300, placeholder: t('fk.signer.refusal_note')});
  const back = () => app.go('inspection', inspectionId);
  const store = async (entry, blob) => {
    const name = `signature-${slot}.png`;
    if (blob) await db.saveSignature(inspectionId, name, blob);
    const {hazards} = await db.partsOf(inspectionId);
    await db.update(inspectionId, (doc) => {
      // a refusal after a signature: the old image goes, or the record would carry a file nobody signed with
      if (!blob && doc._attachments) delete doc._attachments[name];
      const others = (doc.signatures || []).filter((s) => s !== signatureFor(doc, who));
      // bound to the content as it is now: any later change voids it (fieldkit/js/content.js)
      doc.signatures = [...others, {signer: who.signer, name: who.name, at: nowIso(), refused: false,
                                    refusal_note: '', attachment: null, content_sha256: contentHash(doc, hazards), ...entry}];
    });
    back();
  };
  show(view,
    h('h1', {}, t('fk.sign.title', {role: t(`fk.signer.${who.signer}`), name: who.name})),
    h('p.note', {}, t('fk.sign.intro')),
    canvas,
    h('div.actions', {},
      button(t('fk.sign.clear'), () => pad.clear()),
      button(t('fk.sign.save'), async () => {
        if (pad.isEmpty()) return toast(t('fk.sign.empty'), 'error');
        await store({attachment: `signature-${slot}.png`}, await pad.toBlob());
      }, 'primary')),
    who.signer !== 'inspector' ? h('section.card.refusal', {},
      field(t('fk.signer.refusal_label'), note),
      button(t('fk.signer.record_refusal'), () => store({refused: true, refusal_note: note.value.trim()}), 'warn')) : null,
    button(t('fk.back'), back));
  const pad = signaturePad(canvas);
}
