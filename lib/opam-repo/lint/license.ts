// opam lint's warning 62: each `license:` must be an SPDX licence expression (ids, `+`,
// `WITH` exceptions, `AND`/`OR`, parentheses, `LicenseRef-…`), as opam >= 2.2 checks it
// (ocaml/opam#4768; opam 2.1 took single ids only). Licence ids match whatever their case.
import parseSpdx from 'spdx-expression-parse';
import ids from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecated from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import exceptions from 'spdx-exceptions/index.json' with { type: 'json' };

const CANONICAL = new Map([...ids, ...deprecated, ...exceptions].map((id) => [id.toLowerCase(), id]));

export function isSpdxExpression(license: string): boolean {
  // Spell known ids as SPDX does; keep operators' case (SPDX: AND, OR, WITH are case-sensitive).
  const words = license.split(/[\s()]+/);
  if (words.some((w) => /^(?:and|or|with)$/i.test(w) && !/^(?:AND|OR|WITH)$/.test(w))) return false;
  const canonical = license.replace(/[A-Za-z0-9.-]+/g, (w) => (/^(?:AND|OR|WITH)$/.test(w) ? w : (CANONICAL.get(w.toLowerCase()) ?? w)));
  try {
    parseSpdx(canonical);
    return true;
  } catch {
    return false;
  }
}
