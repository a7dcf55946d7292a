// Live progress of a background job (R5, A6: restores and bulk archives): polls data-status-url while the job is
// queued or running, then reloads the page to show the final counts — once the
// job-finished notice exists (R13: the reloaded page shows it), or after 10 s.
(() => {
  const card = document.getElementById('job-card');
  const fill = document.getElementById('progress-fill');
  if (fill) fill.style.width = fill.dataset.progress + "%";  // exact; the class gives 5% steps without JavaScript
  if (!card || card.dataset.active !== '1') return;
  const text = document.getElementById('progress-text');
  let finishedAt = null;
  async function poll() {
    try {
      const s = await (await fetch(card.dataset.statusUrl, { credentials: 'same-origin' })).json();
      const pct = Math.floor(s.progress * 100);
      fill.style.width = pct + "%";
      fill.parentElement.setAttribute('aria-valuenow', pct);
      const warning = document.getElementById('no-worker');
      if (warning) warning.hidden = !(s.waiting_seconds >= Number(warning.dataset.after));
      const badge = document.getElementById('job-status');
      const label = badge && badge.dataset[s.status === 'queued' ? 'labelQueued' : 'labelRunning'];
      if (label && (s.status === 'queued' || s.status === 'running')) badge.textContent = label;
      if (s.status === 'queued' || s.status === 'running') {
        const verb = s.status === 'queued' ? gettext('Waiting for a worker…') : (card.dataset.verbRunning || gettext('Restoring…'));
        const lang = document.documentElement.lang || 'en';
        const done = interpolate(gettext('%(done)s of %(total)s processed (%(percent)s%). You can leave this page.'),
          { done: s.processed.toLocaleString(lang), total: s.requested.toLocaleString(lang), percent: pct }, true);
        text.textContent = verb + ' ' + done;
        setTimeout(poll, 700);
      } else if (s.told || (finishedAt ??= Date.now()) < Date.now() - 10000) {
        window.location.reload();
      } else {
        setTimeout(poll, 500);  // finished; its notice is being written
      }
    } catch (e) {
      setTimeout(poll, 2000);
    }
  }
  setTimeout(poll, 500);
})();
