// HTML building is hono's `html` tag: interpolated values are escaped unless already HTML
// (`raw` or another `html` result), so escaping is the default and forgetting it is impossible.
// This module only narrows hono's types to what the pages use: synchronous markup, no
// promises or render callbacks, so every result is a plain string underneath.
import { html as honoHtml, raw as honoRaw } from 'hono/html';
import { escapeToBuffer, type HtmlEscapedString } from 'hono/utils/html';

/** Markup that is already safe (built by `html` or `raw`); a `String` object, so `${x}` works. */
export type Html = HtmlEscapedString;

/** What a page may interpolate. `true` is not here: hono renders booleans as nothing. */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

/** Escapes text for HTML content and attribute values (`& < > " '`). */
export function escapeHtml(s: string): string {
  const buf: [string] = [''];
  escapeToBuffer(s, buf);
  return buf[0];
}

/** Template tag: `html\`<a href="${url}">${text}</a>\`` escapes url and text. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  const out = honoHtml(strings, ...values);
  // Only a promise or a callback among the values makes hono's result asynchronous.
  if (out instanceof Promise) throw new Error('html: asynchronous values are not supported');
  return out;
}

/** Trusted markup, e.g. the output of the ANSI renderer (which escapes its text itself). */
export const raw = (s: string): Html => honoRaw(s);

/** Encodes one path segment of a URL (a variant name, a branch name's parts). */
export const seg = (s: string): string => encodeURIComponent(s);

/** A link target from data (repository URLs): only http(s), never `javascript:`. */
export const safeUrl = (u: string): string => (/^https?:\/\//i.test(u) ? u : '#');
