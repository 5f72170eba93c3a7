// The frame of every page: header with breadcrumbs and sign-in state, then the page's body.
// Split in a head and a tail so that the job page can stream its log in between.
import { html, raw, type Html, type HtmlValue } from './html.ts';

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageUser {
  login: string;
  csrf: string;
}

export interface PageOptions {
  title: string;
  crumbs?: Crumb[];
  /** The signed-in user, or undefined. */
  user?: PageUser;
  /** Whether a "Sign in" link makes sense (OAuth configured). */
  canSignIn: boolean;
  /** Where sign-in returns to. */
  path: string;
  /** Reload the page every N seconds (a pipeline still running, without JavaScript). */
  refreshSeconds?: number;
  /** Only when scripts are off (the job page's script follows the log itself). */
  refreshWithoutScript?: boolean;
  wide?: boolean;
}

function who(o: PageOptions): Html {
  if (o.user) {
    return html`<div class="who"><span>${o.user.login}</span><form method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.user.csrf}"><button type="submit">Sign out</button></form></div>`;
  }
  if (!o.canSignIn) return html``;
  return html`<div class="who"><a href="/login?return_to=${encodeURIComponent(o.path)}">Sign in with GitHub</a></div>`;
}

function refresh(o: PageOptions): Html {
  if (!o.refreshSeconds) return html``;
  const meta = html`<meta http-equiv="refresh" content="${o.refreshSeconds}">`;
  return o.refreshWithoutScript ? html`<noscript>${meta}</noscript>` : meta;
}

export function pageHead(o: PageOptions): string {
  const crumbs = (o.crumbs ?? []).map(
    (c, i) => html`${i > 0 ? raw('<span class="sep">/</span>') : ''}${c.href ? html`<a href="${c.href}">${c.label}</a>` : html`<span>${c.label}</span>`}`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · cid</title>
<link rel="stylesheet" href="/static/cid.css">
${refresh(o)}
</head>
<body>
<header class="top"><a class="logo" href="/">cid</a><nav class="crumbs" aria-label="breadcrumbs">${crumbs}</nav>${who(o)}</header>
<main${o.wide ? raw(' class="wide"') : ''}>
`.toString();
}

export function pageTail(scripts: string[] = []): string {
  return `</main>\n<footer>cid · continuous integration for OCaml</footer>\n${scripts.map((s) => `<script src="${s}" defer></script>`).join('\n')}\n</body>\n</html>\n`;
}

export function page(o: PageOptions, body: HtmlValue): string {
  return pageHead(o) + html`${body}`.toString() + pageTail();
}
