// The page's only script (served at /static/log.js): follows a running job's log and highlights
// line ranges from the URL fragment (#L12-L20; one line works without it through :target).
// Without JavaScript the page still shows the log so far and refreshes itself.

export const LOG_SCRIPT = `(() => {
  'use strict';
  const log = document.getElementById('log');
  if (!log) return;

  // ---- line ranges: #L12 or #L12-L20, shift-click a line number to extend ----
  let marked = [];
  function highlight(scroll) {
    for (const el of marked) el.classList.remove('hl');
    marked = [];
    const m = /^#L(\\d+)(?:-L(\\d+))?$/.exec(location.hash);
    if (!m) return;
    let a = Number(m[1]);
    let b = m[2] ? Number(m[2]) : a;
    if (b < a) [a, b] = [b, a];
    for (let n = a; n <= b && n - a < 100000; n++) {
      const el = document.getElementById('L' + n);
      if (!el) break;
      el.classList.add('hl');
      marked.push(el);
    }
    if (scroll && marked[0]) marked[0].scrollIntoView({ block: 'center' });
  }
  log.addEventListener('click', (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest('.l > a') : null;
    if (!a) return;
    const n = Number(a.getAttribute('data-n'));
    const cur = /^#L(\\d+)/.exec(location.hash);
    ev.preventDefault();
    let hash = '#L' + n;
    if (ev.shiftKey && cur) {
      const s = Number(cur[1]);
      hash = '#L' + Math.min(s, n) + '-L' + Math.max(s, n);
    }
    history.replaceState(null, '', hash);
    highlight(false);
  });
  window.addEventListener('hashchange', () => highlight(true));
  highlight(true);

  // ---- live follow ----
  const end = document.getElementById('log-end');
  const url = log.getAttribute('data-live');
  if (!end || !url) return;
  const cursor = {
    seq: end.getAttribute('data-seq'),
    offset: end.getAttribute('data-offset'),
    line: end.getAttribute('data-line'),
    sgr: end.getAttribute('data-sgr') || '',
    run: end.getAttribute('data-run') || '',
  };
  const state = document.getElementById('job-state');
  const empty = document.getElementById('log-empty');
  let delay = 1000;

  async function poll() {
    const q = new URLSearchParams(cursor);
    let next = delay;
    try {
      const res = await fetch(url + '?' + q.toString(), { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = await res.json();
      if (data.reload) { location.reload(); return; }
      if (data.html) {
        const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
        if (empty) empty.remove();
        log.insertAdjacentHTML('beforeend', data.html);
        if (atBottom && !location.hash) window.scrollTo(0, document.body.scrollHeight);
      }
      Object.assign(cursor, { seq: String(data.cursor.seq), offset: String(data.cursor.offset), line: String(data.cursor.line), sgr: data.cursor.sgr });
      if (state && data.stateHtml) state.innerHTML = data.stateHtml;
      if (data.done) { document.documentElement.classList.add('log-done'); return; }
      next = data.more ? 0 : data.html ? 1000 : Math.min(delay * 1.5, 5000);
      delay = data.html ? 1000 : next;
    } catch (e) {
      next = 5000;
    }
    setTimeout(poll, next);
  }
  setTimeout(poll, delay);
})();
`;
