// How a failed checklist item is stated as a violation (违法情形) when a hazard is opened from it (pure).
// Same rule as schemas/violation.py: the template's `violation` sentence, or for a version without one a
// sentence that still states the failure ("未做到“…”"), never the bare compliance sentence.

const NA_HINT = /（[^（）]*不适用[^（）]*）/g;
const QUOTED_LAW = /法条：[\s\S]*$/;

function zh(value) {
  if (value && typeof value === 'object') return String(value.zh || value.zh_CN || '').trim();
  return String(value ?? '').trim();
}

/** The compliance sentence without the inspector's hints (不涉及的选“不适用”, the quoted law). */
export function requirement(item) {
  return zh(item?.text).replace(NA_HINT, '').replace(QUOTED_LAW, '').trim().replace(/[。；;. ]+$/, '');
}

export function violationOf(item) {
  if (item?.answer === 'pass_fail') return zh(item.text);  // a re-checked hazard: its own description
  const stated = zh(item?.violation);
  if (stated) return stated;
  const text = requirement(item);
  return text ? `未做到“${text}”。` : '检查项不符合要求。';
}

/** What was found: the violation, with the reading of a number item (实测 28 kPa). */
export function foundText(item, value) {
  const sentence = violationOf(item);
  if (item?.answer === 'number' && typeof value === 'number' && Number.isFinite(value)) {
    return `${sentence.replace(/。$/, '')}（实测${value}${item.unit || ''}）。`;
  }
  return sentence;
}
