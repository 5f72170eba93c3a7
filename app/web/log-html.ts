// Log lines as HTML: a numbered, linkable line (#L12) with its time and ANSI colours. The
// renderer carries what a resumed read needs (line number, colour state) in a cursor.
import { AnsiRenderer } from './ansi.ts';
import type { LogPosition } from './log-lines.ts';
import { timestampLength } from './log-lines.ts';

export interface HtmlLogCursor extends LogPosition {
  /** Number of the last line rendered (0 before the first). */
  line: number;
  /** Colour state at the cursor, as SGR parameters. */
  sgr: string;
}

export const START_CURSOR: HtmlLogCursor = { seq: 0, offset: 0, line: 0, sgr: '' };

export class LogHtmlRenderer {
  private readonly ansi: AnsiRenderer;
  private n: number;
  private date = '';

  constructor(from: Pick<HtmlLogCursor, 'line' | 'sgr'> = START_CURSOR) {
    this.ansi = new AnsiRenderer(from.sgr);
    this.n = from.line;
  }

  get line(): number {
    return this.n;
  }

  get sgr(): string {
    return this.ansi.sgr;
  }

  /**
   * One line as HTML. This runs for every line of big logs, so it allocates little: the
   * timestamp is found without a regex, and its date is given (as a tooltip) only when it changes.
   */
  render(raw: string): string {
    const n = ++this.n;
    const k = timestampLength(raw);
    let stamp = '<time></time>';
    if (k > 0) {
      const date = raw.slice(0, 10);
      const time = raw.slice(11, 19);
      stamp = date === this.date ? `<time>${time}</time>` : `<time title="${date}">${time}</time>`;
      this.date = date;
    }
    return `<div class="l" id="L${n}"><a href="#L${n}" data-n="${n}"></a>${stamp}<span>${this.ansi.line(k > 0 ? raw.slice(k) : raw)}</span></div>\n`;
  }
}
