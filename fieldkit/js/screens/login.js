// Sign-in: once online; afterwards the kit works offline, and a lapsed session only pauses the sync.
import {t} from '../i18n.js';
import {login} from '../session.js';
import {field, h, show} from '../ui.js';

export function loginScreen(view, app) {
  const known = app.profile;
  const user = h('input', {name: 'username', autocomplete: 'username', required: true, value: known?.username || '',
                           readOnly: Boolean(known), autocapitalize: 'none'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const error = h('p.error', {role: 'alert', 'data-t': 'login-error'});
  const submit = h('button.primary', {type: 'submit'}, t('fk.login.submit'));
  const form = h('form.card.login', {onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    show(error);
    try {
      const {profile, csrf} = await login(user.value.trim(), password.value, known);
      await app.afterLogin(profile, csrf);
    } catch (err) {
      show(error, err.message.startsWith('fk.') ? t(err.message, {name: known?.display_name || ''}) : err.message);
    } finally {
      submit.disabled = false;
    }
  }},
  h('h1', {}, t('fk.login.title')),
  known ? h('p.note', {}, t('fk.login.again', {name: known.display_name})) : h('p.note', {}, t('fk.login.intro')),
  field(t('fk.login.username'), user), field(t('fk.login.password'), password), error, submit);
  show(view, form);
  (known ? password : user).focus();
}
