// Building the DOM without innerHTML: every text goes in as text, so nothing from a document can run.

/** h('p.note', {onclick}, 'text', child) → an element; 'tag.cls1.cls2#id' sets classes and id. */
export function h(spec, attrs = {}, ...children) {
  const [tagAndClasses, id] = spec.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id;
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'value') el.value = value;  // a property: a textarea has no value attribute
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace what an element shows. */
export function show(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function button(label, onclick, cls = '') {
  return h(`button${cls ? '.' + cls.split(' ').join('.') : ''}`, {type: 'button', onclick}, label);
}

/** A labelled form field: h('label', …) around the text and the control. */
export function field(label, control, hint) {
  return h('label.field', {}, h('span.label', {}, label), control, hint ? h('span.hint', {}, hint) : null);
}

/** A short message at the bottom of the screen that goes away by itself. */
export function toast(text, kind = 'info') {
  const el = h(`div.toast.${kind}`, {role: 'status'}, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

export function today() {
  // The inspector's working day is in China's time zone, whatever the phone's zone says.
  return new Date().toLocaleDateString('sv-SE', {timeZone: 'Asia/Shanghai'});
}

export function nowIso() { return new Date().toISOString(); }
