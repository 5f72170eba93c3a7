import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw, safeUrl } from '../../../app/web/html.ts';
import { formatDuration, queuedFor, ranFor, refLabel } from '../../../app/web/format.ts';
import { historyPath, jobPath } from '../../../app/web/paths.ts';

test('interpolations are escaped unless already HTML; arrays and empty values render sensibly', () => {
  const evil = '"><script>alert(1)</script>';
  assert.equal(html`<a title="${evil}">${evil}</a>`.toString(), '<a title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a>');
  assert.equal(html`<p>${raw('<b>ok</b>')}${[1, html`<i>${'<'}</i>`]}${undefined}${null}${false}</p>`.toString(), '<p><b>ok</b>1<i>&lt;</i></p>');
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  // Single quotes close attributes too; nested arrays are flattened and each element escaped.
  assert.equal(html`<a title='${"x'onmouseover='alert(1)"}'>${[['<b>', [0]], raw('<i>')]}</a>`.toString(), "<a title='x&#39;onmouseover=&#39;alert(1)'>&lt;b&gt;0<i></a>");
  // Markup is not double-escaped when nested, and what a page writes out is a plain string.
  assert.equal(`${html`<p>${html`<b>${'&'}</b>`}</p>`}`, '<p><b>&amp;</b></p>');
  assert.equal(safeUrl('javascript:alert(1)'), '#');
  assert.equal(safeUrl('https://github.com/a/b'), 'https://github.com/a/b');
});

test('durations read like people write them', () => {
  assert.equal(formatDuration(400), '0s');
  assert.equal(formatDuration(59_000), '59s');
  assert.equal(formatDuration(187_000), '3m 07s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  assert.equal(formatDuration(50 * 3600_000), '2d 2h');
  assert.equal(formatDuration(-1), '');
});

test('queue and run times come from the job’s timestamps, or from now while it waits or runs', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const base = { queuedAt: '2026-01-01T00:00:00Z' };
  assert.equal(queuedFor({ ...base, status: 'queued' }, now), 600_000);
  assert.equal(queuedFor({ ...base, startedAt: '2026-01-01T00:01:00Z', status: 'running' }, now), 60_000);
  assert.equal(ranFor({ startedAt: '2026-01-01T00:01:00Z', status: 'running' }, now), 540_000);
  assert.equal(ranFor({ startedAt: '2026-01-01T00:01:00Z', finishedAt: '2026-01-01T00:02:30Z', status: 'passed' }, now), 90_000);
  assert.equal(ranFor({ status: 'cancelled' }, now), undefined);
});

test('paths encode their segments; refs read as branch names and PR numbers', () => {
  assert.equal(jobPath('o/r', 'a'.repeat(40), 'x y/z'), `/github/o/r/commit/${'a'.repeat(40)}/variant/x%20y%2Fz`);
  assert.equal(historyPath('o/r', 'refs/heads/feature/a b'), '/github/o/r/history/branch/feature/a%20b');
  assert.equal(historyPath('o/r', 'pull/3'), '/github/o/r/history/pull/3');
  assert.equal(historyPath('o/r', 'refs/tags/v1'), undefined);
  assert.equal(refLabel('refs/heads/main'), 'main');
  assert.equal(refLabel('pull/12'), 'PR #12');
});
