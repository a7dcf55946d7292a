// Ask before a destructive submit. On a form or a submit button:
//   data-confirm="Archive x@example.com? …"                     a fixed question
//   data-confirm-one / data-confirm-many="Archive {n} contacts?" asked about the
//   ticked .row-check boxes; with none ticked, data-confirm-empty is shown instead.
// Without JavaScript the action simply happens (the server still checks everything).
(() => {
  function question(el) {
    if (el.dataset.confirm) return el.dataset.confirm;
    const n = document.querySelectorAll('.row-check:checked').length;
    if (!n) { window.alert(el.dataset.confirmEmpty); return null; }
    return (n === 1 ? el.dataset.confirmOne : el.dataset.confirmMany).replace('{n}', n);
  }
  function guard(el, event) {
    const q = question(el);
    if (q === null || !window.confirm(q)) event.preventDefault();
  }
  document.querySelectorAll('form[data-confirm]').forEach(f => f.addEventListener('submit', e => guard(f, e)));
  document.querySelectorAll('button[data-confirm], button[data-confirm-one]').forEach(b => b.addEventListener('click', e => guard(b, e)));
})();
