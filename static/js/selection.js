// Selecting contacts in a list: ticked rows, the whole page, or every contact
// matching the filter (which the server resolves from the filter, never from the
// rows the browser saw). Shared by the contacts, archived and cleaned lists.
//
// <div data-selection data-form="FORM_ID" data-total="N" data-capped="0|1">  the toolbar
//   [data-selection-action]   acts on the selection; data-label-some="Restore {n} selected"
//                             (data-label-one for one contact, where the language needs it)
//                             renames it, data-blocked keeps it disabled
//   [data-selection-count]    receives "N contacts selected"
//   [data-select-all]         selects every matching contact
// [data-select-all-banner]    Gmail-style banner with [data-select-all-text] and [data-select-all-toggle]
// Rows are input.row-check; the page box is #check-page. The form's hidden
// select_all input (if any) carries "1" for "every matching contact".
(() => {
  // U3: words from Django's JavaScript catalog (jsi18n), numbers in the page's language.
  const fmt = n => n.toLocaleString(document.documentElement.lang || 'en');

  function setupSelection(root) {
    const total = Number(root.dataset.total || 0);
    const totalLabel = root.dataset.capped === '1' ? `${fmt(total)}+` : fmt(total);
    const form = document.getElementById(root.dataset.form);
    const selectAll = form.querySelector('[name=select_all]');
    const rows = () => [...document.querySelectorAll('.row-check')];
    const pageBox = document.getElementById('check-page');
    const actions = [...root.querySelectorAll('[data-selection-action]')];
    const countLabel = root.querySelector('[data-selection-count]');
    const selectAllButton = root.querySelector('[data-select-all]');
    const banner = document.querySelector('[data-select-all-banner]');
    const all = () => Boolean(selectAll) && selectAll.value === '1';
    const checked = () => rows().filter(r => r.checked).length;
    const count = () => (all() ? total : checked());
    const label = () => (all() ? totalLabel : fmt(checked()));
    // Without JavaScript neither the page box nor the count could do anything: hidden until now.
    if (pageBox) pageBox.hidden = false;
    if (countLabel) countLabel.hidden = false;

    function setAll(on) {
      if (selectAll) selectAll.value = on ? '1' : '0';
    }

    function refresh() {
      const n = count();
      if (countLabel) countLabel.textContent = n ? interpolate(ngettext('%(n)s contact selected', '%(n)s contacts selected', n), { n: label() }, true) : gettext('No contact selected');
      actions.forEach(action => {
        action.disabled = !n || action.hasAttribute('data-blocked');
        if (action.dataset.labelSome) {
          const one = n === 1 && action.dataset.labelOne;  // French: « Restaurer le contact sélectionné »
          action.textContent = n ? (one ? action.dataset.labelOne : action.dataset.labelSome.replace('{n}', label())) : action.dataset.labelNone;
        }
      });
      const allOnPage = rows().length > 0 && checked() === rows().length;
      if (pageBox) pageBox.checked = allOnPage;
      if (!banner) return;
      const text = banner.querySelector('[data-select-all-text]');
      const toggle = banner.querySelector('[data-select-all-toggle]');
      if (all()) {
        banner.classList.add('shown');
        text.textContent = interpolate(ngettext('The %(n)s contact matching this filter is selected. ', 'All %(n)s contacts matching this filter are selected. ', total), { n: totalLabel }, true);
        toggle.textContent = gettext('Clear selection');
      } else if (allOnPage && total > rows().length) {
        banner.classList.add('shown');
        text.textContent = interpolate(ngettext('The %(n)s contact on this page is selected. ', 'All %(n)s contacts on this page are selected. ', rows().length), { n: fmt(rows().length) }, true);
        toggle.textContent = interpolate(ngettext('Select the %(n)s contact matching this filter', 'Select all %(n)s contacts matching this filter', total), { n: totalLabel }, true);
      } else {
        banner.classList.remove('shown');
      }
    }

    rows().forEach(r => r.addEventListener('change', () => { setAll(false); refresh(); }));
    if (pageBox) pageBox.addEventListener('change', () => { setAll(false); rows().forEach(r => { r.checked = pageBox.checked; }); refresh(); });
    if (selectAllButton) {
      selectAllButton.hidden = false; // a button that works only with JavaScript is shown only with it
      selectAllButton.addEventListener('click', () => { setAll(true); rows().forEach(r => { r.checked = true; }); refresh(); });
    }
    if (banner) {
      banner.querySelector('[data-select-all-toggle]').addEventListener('click', () => {
        const on = !all();
        setAll(on);
        rows().forEach(r => { r.checked = on; });
        refresh();
      });
    }
    actions.forEach(action => { if (action.dataset.labelSome) action.dataset.labelNone = action.textContent; });
    refresh();
    return { form, count, label };
  }

  window.CRM = window.CRM || {};
  window.CRM.selections = new Map();
  document.querySelectorAll('[data-selection]').forEach(root => {
    window.CRM.selections.set(root.dataset.form, setupSelection(root));
  });
})();
