// Reload a page that shows background work still in progress: <body data-refresh-after="1500">.
(() => {
  const ms = Number(document.querySelector('[data-refresh-after]')?.dataset.refreshAfter);
  if (ms) setTimeout(() => window.location.reload(), ms);
})();
