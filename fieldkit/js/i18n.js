// Message catalogues (zh-CN first, English), the same files the server uses, served as /app/i18n/<locale>.json.
export const LOCALES = ['zh_CN', 'en'];
let messages = {};
let current = 'zh_CN';

export function locale() { return current; }

export async function loadLocale(wanted) {
  const loc = LOCALES.includes(wanted) ? wanted : 'zh_CN';
  const res = await fetch(`i18n/${loc}.json`);
  messages = await res.json();
  current = loc;
  localStorage.setItem('fk.locale', loc);
  document.documentElement.lang = loc === 'zh_CN' ? 'zh-CN' : 'en';
  document.title = t('fk.app.title');
  return loc;
}

export function savedLocale() { return localStorage.getItem('fk.locale') || 'zh_CN'; }

/** The message for `key` with {params} filled in; the key itself if missing, so nothing is hidden. */
export function t(key, params = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A bilingual value from the server ({zh, en} or {zh_CN, en}) in the current language. */
export function pick(value) {
  if (value == null || typeof value !== 'object') return value == null ? '' : String(value);
  if (current === 'en') return value.en || value.zh || value.zh_CN || '';
  return value.zh || value.zh_CN || value.en || '';
}

/** A stored UTC time shown in Asia/Shanghai, to the minute. */
export function showTime(iso) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  return when.toLocaleString(current === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}
