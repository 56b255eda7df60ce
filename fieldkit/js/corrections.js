// Corrections after submission (pure): a finished record reopened becomes a new version, which needs a
// 更正说明 (correction note) and carries what changed between the submitted content and the corrected one.
// Texts are in Chinese: they are part of the record and printed in its PDF (server/documents/record.py).
import {contentHash, signedContent} from './content.js';

const MAX_CHANGES = 100;
const MAX_TEXT = 300;
const VALUE_LABELS = {yes: '符合', no: '不符合', na: '不适用', pass: '已整改', fail: '未整改'};
const GRADE_LABELS = {general: '一般事故隐患', major: '重大事故隐患'};
const FIELD_KEYS = ['task', 'checklist', 'started_at', 'checked_in_at', 'place', 'purpose', 'manager', 'witness', 'experts'];

const cut = (text) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);
const plain = (value) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

function describeField(value) {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'name' in value) {
    return [value.name, value.role ? `（${value.role}）` : '', value.phone ? ` ${value.phone}` : ''].join('');
  }
  return Array.isArray(value) ? value.join('、') : plain(value);
}

function describeAnswer(a) {
  if (!a) return '（未填写）';
  const parts = [VALUE_LABELS[a.value] || plain(a.value) || '（未填写）'];
  if (a.note) parts.push(`说明：${a.note}`);
  if (a.photos.length) parts.push(`照片${a.photos.length}张`);
  return parts.join('；');
}

function describeHazard(hz) {
  if (!hz) return '（无）';
  const extra = [GRADE_LABELS[hz.grade] || '', hz.location ? `部位：${hz.location}` : ''].filter(Boolean).join('，');
  return `${hz.description}${extra ? `（${extra}）` : ''}${hz.photos.length ? `；照片${hz.photos.length}张` : ''}`;
}

function diffRows(part, before, after, key, describe) {
  const byKey = (rows) => new Map(rows.map((r) => [plain(r[key]), r]));
  const [old, now] = [byKey(before), byKey(after)];
  return [...new Set([...old.keys(), ...now.keys()])]
    .filter((k) => JSON.stringify(old.get(k)) !== JSON.stringify(now.get(k)))
    .map((k) => ({part, key: k, before: describe(old.get(k)), after: describe(now.get(k))}));
}

/** What changed between two signed contents, one row per field, answer (by item) and hazard (by id). */
export function changesBetween(before, after) {
  const fields = FIELD_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => ({part: 'field', key: k, before: describeField(before[k]), after: describeField(after[k])}));
  return [...fields, ...diffRows('answer', before.answers, after.answers, 'item', describeAnswer),
          ...diffRows('hazard', before.hazards, after.hazards, 'id', describeHazard)]
    .slice(0, MAX_CHANGES).map((c) => ({...c, key: cut(c.key), before: cut(c.before), after: cut(c.after)}));
}

/** Set on a record when it is reopened after submission: the content it had then, to diff against. */
export function startCorrection(inspection, hazards, at) {
  return {at, note: '', from_sha256: contentHash(inspection, hazards), from: signedContent(inspection, hazards)};
}

export function correctionProblems(inspection) {
  const open = inspection.correcting;
  return open && !(open.note || '').trim() ? [['fk.sig.correction_note_required', {}]] : [];
}

/** The version entry appended when the corrected record is finished again. */
export function correctionEntry(inspection, hazards, at) {
  const open = inspection.correcting;
  const n = (inspection.corrections || []).length + 1;
  return {n, at, note: cut(open.note.trim()), from_sha256: open.from_sha256, to_sha256: contentHash(inspection, hazards),
          changes: changesBetween(open.from, signedContent(inspection, hazards))};
}
