import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnsiRenderer, decodeState, encodeState, stripAnsi } from '../../../app/web/ansi.ts';

const render = (...lines: string[]) => {
  const r = new AnsiRenderer();
  return lines.map((l) => r.line(l));
};

test('the 16 colours, bold and reset become classes; plain text stays plain', () => {
  assert.deepEqual(render('plain'), ['plain']);
  assert.deepEqual(render('\x1b[31mred\x1b[0m after'), ['<span class="a-f1">red</span> after']);
  assert.deepEqual(render('\x1b[1;92;44mB\x1b[22mN\x1b[39;49m'), ['<span class="a-b a-f10 a-g4">B</span><span class="a-f10 a-g4">N</span>']);
  assert.deepEqual(render('\x1b[mx'), ['x']);
});

test('256-colour and true-colour codes become inline colours', () => {
  assert.deepEqual(render('\x1b[38;5;208mo'), ['<span style="color:#ff8700">o</span>']);
  assert.deepEqual(render('\x1b[38;5;3my'), ['<span class="a-f3">y</span>']);
  assert.deepEqual(render('\x1b[48;5;240mg'), ['<span style="background:#585858">g</span>']);
  assert.deepEqual(render('\x1b[38;2;1;2;255mt'), ['<span style="color:#0102ff">t</span>']);
});

test('colour carries from line to line, but every line closes its spans', () => {
  assert.deepEqual(render('\x1b[33mstart', 'middle', 'end\x1b[0m', 'after'), [
    '<span class="a-f3">start</span>',
    '<span class="a-f3">middle</span>',
    '<span class="a-f3">end</span>',
    'after',
  ]);
});

test('text is escaped; other escapes and control characters are dropped', () => {
  assert.deepEqual(render('<b>&"\'</b>'), ['&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;']);
  assert.deepEqual(render('a\x1b[2Kb\x1b]0;title\x07c\x07d\x1b'), ['abcd']);
  assert.deepEqual(render('\x1b[31m<script>\x1b[0m'), ['<span class="a-f1">&lt;script&gt;</span>']);
  assert.deepEqual(render('tab\there'), ['tab\there']);
});

test('a carriage return redraws the line: what a terminal would show last is kept', () => {
  assert.deepEqual(render('10%\r50%\r100% done'), ['100% done']);
  assert.deepEqual(render('\x1b[32m10%\rdone\r'), ['<span class="a-f2">done</span>']);
});

test('the colour state survives a round trip through its SGR encoding', () => {
  const r = new AnsiRenderer();
  r.line('\x1b[1;4;35;48;2;10;20;30mx');
  const sgr = r.sgr;
  assert.equal(sgr, '1;4;35;48;2;10;20;30');
  const resumed = new AnsiRenderer(sgr);
  assert.equal(resumed.line('y'), '<span class="a-b a-u a-f5" style="background:#0a141e">y</span>');
  assert.equal(encodeState(decodeState('')), '');
  assert.equal(encodeState(decodeState('93;101')), '93;101');
  assert.equal(encodeState(decodeState('bogus')), '', 'a malformed state is the default state');
});

test('stripAnsi leaves the text, newlines and tabs', () => {
  assert.equal(stripAnsi('\x1b[1;31merror\x1b[0m:\tline\n\x1b]0;t\x07next\n'), 'error:\tline\nnext\n');
});
