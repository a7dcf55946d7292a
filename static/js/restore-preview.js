// The restore preview in a modal (R12, B3). The dialog carries its endpoints:
// <dialog id="restore-dialog" data-preview-url="…">. The bulk button of the
// [data-selection] toolbar and each row's [data-restore-id] button open it with the
// selection; the preview's own form then starts the restore. What will not come
// back is a second pass, fetched into #not-coming-back[data-src] once the counts show.
(() => {
  const dialog = document.getElementById('restore-dialog');
  if (!dialog) return;
  const selection = window.CRM.selections.get('selection-form');
  const form = selection.form;

  function showError(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const detail = doc.querySelector('.error-detail');
    dialog.innerHTML = '<div class="modal-body"><h2 id="restore-dialog-title"></h2><p class="error-detail"></p></div>'
      + '<div class="modal-foot"><button type="button" class="btn" data-close></button></div>';
    dialog.querySelector('#restore-dialog-title').textContent = gettext('Cannot restore');
    dialog.querySelector('[data-close]').textContent = gettext('Close');
    dialog.querySelector('.error-detail').textContent = detail ? detail.textContent : gettext('Something went wrong. Please try again.');
  }

  async function openPreview(data) {
    const response = await fetch(dialog.dataset.previewUrl, {
      method: 'POST', body: data, headers: { 'X-Fragment': '1' }, credentials: 'same-origin',
    });
    const html = await response.text();
    if (response.ok) dialog.innerHTML = html; else showError(html);
    dialog.querySelectorAll('[data-close]').forEach(b => b.addEventListener('click', () => dialog.close()));
    dialog.showModal();
    const details = dialog.querySelector('#not-coming-back[data-src]');
    if (details) {
      const more = await fetch(details.dataset.src, { method: 'POST', body: data, credentials: 'same-origin' });
      if (more.ok) details.innerHTML = await more.text();
      else details.textContent = gettext('Could not check for lists, tags, accounts and deals deleted since archiving.');
      details.classList.remove('subtle');
    }
  }

  document.querySelector('[data-selection] [data-selection-action]').addEventListener('click', event => {
    event.preventDefault();
    openPreview(new FormData(form));
  });
  document.querySelectorAll('[data-restore-id]').forEach(button => button.addEventListener('click', event => {
    event.preventDefault();
    const data = new FormData();
    data.append('csrfmiddlewaretoken', form.querySelector('[name=csrfmiddlewaretoken]').value);
    data.append('ids', button.dataset.restoreId);
    openPreview(data);
  }));
})();
