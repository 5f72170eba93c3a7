// Log lines as HTML: a numbered, linkable line (#L12) with its time and ANSI colours. The
// renderer carries what a resumed read needs (line number, colour state) in a cursor.
import { AnsiRenderer } from './ansi.ts';
import { escapeHtml } from './html.ts';
import type { LogPosition } from './log-lines.ts';
import { splitTimestamp } from './log-lines.ts';

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

  render(raw: string): string {
    const n = ++this.n;
    const { date, time, text } = splitTimestamp(raw);
    const stamp = time ? `<time title="${escapeHtml(`${date} ${time}`)}">${time}</time>` : '<time></time>';
    return `<div class="l" id="L${n}"><a href="#L${n}" data-n="${n}"></a>${stamp}<span>${this.ansi.line(text)}</span></div>\n`;
  }
}
