function (newDoc, oldDoc, userCtx) {
  // The audit log is append-only for every writer, admins included: no edit, no delete.
  if (oldDoc) { throw({forbidden: 'the audit log is append-only'}); }
  if (newDoc._deleted) { throw({forbidden: 'the audit log is append-only'}); }
}
