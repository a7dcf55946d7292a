// C5: archiving cleaned contacts asks the admin to type a word. The dialog names it:
// <dialog data-typed-confirm data-word="ARCHIVE" data-form="FORM_ID">, opened by the
// [data-selection-action] button of that form's toolbar; the word typed travels in
// the form's "confirmation" field and the server checks it again.
(() => {
  document.querySelectorAll('dialog[data-typed-confirm]').forEach(dialog => {
    const selection = window.CRM.selections.get(dialog.dataset.form);
    const form = selection.form;
    const open = document.querySelector(`[data-selection][data-form="${dialog.dataset.form}"] [data-selection-action]`);
    const word = dialog.querySelector('[data-typed-word]');
    const confirmButton = dialog.querySelector('[data-typed-submit]');
    open.addEventListener('click', event => {
      event.preventDefault();
      const n = selection.count();
      dialog.querySelector('[data-typed-count]').textContent = interpolate(ngettext('%(n)s cleaned contact', '%(n)s cleaned contacts', n), { n: selection.label() }, true);
      word.value = '';
      confirmButton.disabled = true;
      dialog.showModal();
      word.focus();
    });
    word.addEventListener('input', () => { confirmButton.disabled = word.value.trim() !== dialog.dataset.word; });
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
    confirmButton.addEventListener('click', () => {
      form.querySelector('[name=confirmation]').value = word.value;
      form.submit();
    });
  });
})();
