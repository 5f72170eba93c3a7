// A tiny HTML builder: interpolated values are escaped unless already HTML, so escaping is the
// default and forgetting it is impossible. Output is a plain string (fast, and streams as is).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const SPECIAL = /[&<>"']/;

export function escapeHtml(s: string): string {
  // Most log text has nothing to escape: skip the replace (and its allocations) then.
  return SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : s;
}

/** Markup that is already safe (built by `html` or `raw`). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v as string | number | boolean));
}

/** Template tag: `html\`<a href="${url}">${text}</a>\`` escapes url and text. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Trusted markup, e.g. the output of the ANSI renderer (which escapes its text itself). */
export const raw = (s: string): Html => new Html(s);

/** Encodes one path segment of a URL (a variant name, a branch name's parts). */
export const seg = (s: string): string => encodeURIComponent(s);

/** A link target from data (repository URLs): only http(s), never `javascript:`. */
export const safeUrl = (u: string): string => (/^https?:\/\//i.test(u) ? u : '#');
