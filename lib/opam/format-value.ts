// Prints syntax values back as opam text, for messages and for checking how text was grouped.
import type { Item, OpamFile, Value } from './ast.ts';

export interface FormatOptions {
  /**
   * Put parentheses around every operator expression, to show how the parser grouped it:
   * `a | b & c` prints as `(a | (b & c))`. The output is then no longer the same tree.
   */
  explicit?: boolean;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function formatValue(v: Value, options: FormatOptions = {}): string {
  const explicit = options.explicit ?? false;
  const go = (x: Value): string => formatValue(x, options);
  const wrap = (s: string): string => (explicit ? `(${s})` : s);
  switch (v.kind) {
    case 'string':
      return quote(v.value);
    case 'ident':
      return v.name;
    case 'bool':
    case 'int':
      return String(v.value);
    case 'list':
      return `[${v.items.map(go).join(' ')}]`;
    case 'group':
      return `(${v.items.map(go).join(' ')})`;
    case 'option':
      return wrap(`${go(v.value)} {${v.options.map(go).join(' ')}}`);
    case 'relop':
      return wrap(`${go(v.left)} ${v.op} ${go(v.right)}`);
    case 'prefix-relop':
      return wrap(`${v.op} ${go(v.operand)}`);
    case 'logop':
      return wrap(`${go(v.left)} ${v.op} ${go(v.right)}`);
    case 'pfxop':
      return wrap(`${v.op}${go(v.operand)}`);
    case 'env-binding':
      return wrap(`${go(v.name)} ${v.op} ${go(v.value)}`);
  }
}

function formatItems(items: Item[], indent: string): string {
  return items
    .map((it) => {
      if (it.kind === 'field') return `${indent}${it.name}: ${formatValue(it.value)}\n`;
      const label = it.label === undefined ? '' : ` ${quote(it.label)}`;
      return `${indent}${it.sectionKind}${label} {\n${formatItems(it.items, indent + '  ')}${indent}}\n`;
    })
    .join('');
}

/** Prints a whole file (comments and layout are not kept). */
export function formatOpamFile(file: OpamFile): string {
  return formatItems(file.items, '');
}
