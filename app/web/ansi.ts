// ANSI colour codes (SGR) to HTML spans. Builds print coloured output (OPAMCOLOR=always,
// CLICOLOR_FORCE=1), so logs carry escapes; they become classes for the 16 standard colours and
// inline colours for the 256-colour and true-colour forms. Other escapes (cursor moves, OSC
// titles) are dropped. Text is escaped here, so the output is safe HTML.
import { escapeHtml } from './html.ts';

type Colour = number | string | undefined;

export interface AnsiState {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  fg: Colour;
  bg: Colour;
}

const initial = (): AnsiState => ({ bold: false, dim: false, italic: false, underline: false, inverse: false, fg: undefined, bg: undefined });

// CSI sequences, OSC sequences (ended by BEL or ST) and two-character escapes.
const ESCAPE = /\x1b\[([0-9;:?]*)([ -/]*[@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;
// Other control characters (backspace, bell…) have no place in HTML; tabs stay.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;
const CONTROL_ALL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** The xterm 256-colour palette entry n (16–255) as #rrggbb. */
function palette256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return hex(v, v, v);
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return hex(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
}

const hex = (r: number, g: number, b: number): string =>
  '#' + [r, g, b].map((x) => Math.max(0, Math.min(255, x)).toString(16).padStart(2, '0')).join('');

/** Applies one SGR parameter list ("1;31", "38;5;208", "") to a state. */
export function applySgr(state: AnsiState, params: string): void {
  const p = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)));
  for (let i = 0; i < p.length; i++) {
    const n = p[i] as number;
    if (n === 0) Object.assign(state, initial());
    else if (n === 1) state.bold = true;
    else if (n === 2) state.dim = true;
    else if (n === 3) state.italic = true;
    else if (n === 4) state.underline = true;
    else if (n === 7) state.inverse = true;
    else if (n === 22) state.bold = state.dim = false;
    else if (n === 23) state.italic = false;
    else if (n === 24) state.underline = false;
    else if (n === 27) state.inverse = false;
    else if (n >= 30 && n <= 37) state.fg = n - 30;
    else if (n >= 90 && n <= 97) state.fg = n - 90 + 8;
    else if (n === 39) state.fg = undefined;
    else if (n >= 40 && n <= 47) state.bg = n - 40;
    else if (n >= 100 && n <= 107) state.bg = n - 100 + 8;
    else if (n === 49) state.bg = undefined;
    else if (n === 38 || n === 48) {
      let c: Colour;
      if (p[i + 1] === 5 && p[i + 2] !== undefined) {
        const k = p[i + 2] as number;
        c = k < 16 ? k : palette256(Math.min(k, 255));
        i += 2;
      } else if (p[i + 1] === 2 && p[i + 4] !== undefined) {
        c = hex(p[i + 2] as number, p[i + 3] as number, p[i + 4] as number);
        i += 4;
      } else break;
      if (n === 38) state.fg = c;
      else state.bg = c;
    }
  }
}

/** The state as SGR parameters, so a reader can carry it between requests ("" = default). */
export function encodeState(s: AnsiState): string {
  const out: string[] = [];
  if (s.bold) out.push('1');
  if (s.dim) out.push('2');
  if (s.italic) out.push('3');
  if (s.underline) out.push('4');
  if (s.inverse) out.push('7');
  const colour = (c: Colour, base: number) => {
    if (c === undefined) return;
    if (typeof c === 'number') out.push(String(c < 8 ? base + c : base + 60 + c - 8));
    else out.push(`${base + 8};2;${parseInt(c.slice(1, 3), 16)};${parseInt(c.slice(3, 5), 16)};${parseInt(c.slice(5, 7), 16)}`);
  };
  colour(s.fg, 30);
  colour(s.bg, 40);
  return out.join(';');
}

export function decodeState(sgr: string): AnsiState {
  const s = initial();
  if (/^[0-9;]*$/.test(sgr) && sgr.length <= 64) applySgr(s, sgr);
  return s;
}

function openTag(s: AnsiState): string {
  const classes: string[] = [];
  const styles: string[] = [];
  let fg = s.fg;
  let bg = s.bg;
  if (s.inverse) [fg, bg] = [bg ?? 'var(--log-bg)', fg ?? 'var(--log-fg)'];
  if (s.bold) classes.push('a-b');
  if (s.dim) classes.push('a-d');
  if (s.italic) classes.push('a-i');
  if (s.underline) classes.push('a-u');
  if (typeof fg === 'number') classes.push(`a-f${fg}`);
  else if (fg !== undefined) styles.push(`color:${fg}`);
  if (typeof bg === 'number') classes.push(`a-g${bg}`);
  else if (bg !== undefined) styles.push(`background:${bg}`);
  if (classes.length === 0 && styles.length === 0) return '';
  return `<span${classes.length ? ` class="${classes.join(' ')}"` : ''}${styles.length ? ` style="${styles.join(';')}"` : ''}>`;
}

/**
 * The end of the escape sequence starting at `i` (text[i] is ESC), and the SGR parameters when
 * it is one ("1;31" for ESC[1;31m), without a regex: this runs for every escape of big logs.
 */
function scanEscape(text: string, i: number): { end: number; sgr?: string } {
  const next = text.charCodeAt(i + 1);
  if (next === 0x5b) {
    // CSI: parameters 0x30–0x3f, intermediates 0x20–0x2f, one final byte 0x40–0x7e.
    let j = i + 2;
    while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x3f) j++;
    const paramsEnd = j;
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
    if (j >= text.length) return { end: text.length };
    const final = text.charCodeAt(j);
    if (final < 0x40 || final > 0x7e) return { end: j };
    return final === 0x6d && paramsEnd === j ? { end: j + 1, sgr: text.slice(i + 2, paramsEnd) } : { end: j + 1 };
  }
  if (next === 0x5d) {
    // OSC: up to BEL or ST (ESC \\).
    for (let j = i + 2; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x07) return { end: j + 1 };
      if (c === 0x1b) return { end: text.charCodeAt(j + 1) === 0x5c ? j + 2 : j };
    }
    return { end: text.length };
  }
  // Two-character escapes (ESC 7, ESC M…); a lone ESC at the end goes too.
  return { end: Math.min(text.length, i + 2) };
}

/**
 * Renders lines one at a time; colour state carries from one line to the next, as in a
 * terminal, while every line's spans are closed so each line is a self-contained element.
 */
export class AnsiRenderer {
  readonly state: AnsiState;
  /** The opening tag for the current state, rebuilt only when the state changes. */
  private open: string | undefined;

  constructor(sgr = '') {
    this.state = decodeState(sgr);
  }

  get sgr(): string {
    return encodeState(this.state);
  }

  private apply(params: string): void {
    applySgr(this.state, params);
    this.open = undefined;
  }

  private openTag(): string {
    this.open ??= openTag(this.state);
    return this.open;
  }

  /** One line (without its newline) as safe HTML. */
  line(text: string): string {
    // A carriage return inside a line redraws it (progress bars): keep what a terminal shows last.
    if (text.includes('\r')) {
      const parts = text.split('\r');
      let last = parts.length - 1;
      while (last > 0 && parts[last] === '') last--;
      for (let i = 0; i < last; i++) this.skip(parts[i] as string);
      text = parts[last] as string;
    }
    let esc = text.indexOf('\x1b');
    if (esc === -1) return this.segment(text);
    let out = '';
    let last = 0;
    while (esc !== -1) {
      out += this.segment(text.slice(last, esc));
      const e = scanEscape(text, esc);
      if (e.sgr !== undefined) this.apply(e.sgr);
      last = e.end;
      esc = text.indexOf('\x1b', last);
    }
    return out + this.segment(text.slice(last));
  }

  private segment(text: string): string {
    if (text === '') return '';
    const body = escapeHtml(CONTROL.test(text) ? text.replace(CONTROL_ALL, '') : text);
    const open = this.openTag();
    return open ? `${open}${body}</span>` : body;
  }

  /** Applies a text's colour changes without rendering it. */
  private skip(text: string): void {
    for (let esc = text.indexOf('\x1b'); esc !== -1; ) {
      const e = scanEscape(text, esc);
      if (e.sgr !== undefined) this.apply(e.sgr);
      esc = text.indexOf('\x1b', e.end);
    }
  }
}

/** Text without escapes or control characters (newlines and tabs stay). */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPE, '').replace(CONTROL_ALL, (c) => (c === '\r' ? '\r' : ''));
}
