// The one place SQS message bodies are written and read. SQS accepts only #x9 | #xA | #xD |
// #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF, and fauxqs (the local emulator) refuses
// supplementary characters too, as it checks UTF-16 code units. Any JSON value must still get
// through: a commit message with an emoji, a branch name with U+FFFF, a lone surrogate, NUL.

/**
 * UTF-16 code units SQS or fauxqs may refuse that JSON.stringify leaves raw: surrogates (halves
 * of an emoji, or lone ones) and the noncharacters U+FFFE/U+FFFF. Control characters need
 * nothing here: JSON.stringify already escapes them.
 */
const REFUSED = /[\ud800-\udfff\ufffe\uffff]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text of `value` whose every character SQS accepts: the refused ones are written as JSON
 * `\uXXXX` escapes (they can only occur inside strings), which JSON.parse turns back into the same
 * code units.
 */
export function encodeMessageBody(value: unknown): string {
  return JSON.stringify(value).replace(REFUSED, escape);
}

/** The value an encoded body stands for; throws SyntaxError when it is not JSON. */
export function parseMessageBody(body: string): unknown {
  return JSON.parse(body);
}
