// The web UI: server-rendered pages, the JSON API mirroring them, badges, sign-in through GitHub.
export { mountWeb } from './web-app.ts';
export { AnsiRenderer, stripAnsi } from './ansi.ts';
export { escapeHtml, html, raw } from './html.ts';
export { normaliseRef } from './queries.ts';
export { commitPath, jobPath, repoPath, historyPath } from './paths.ts';
