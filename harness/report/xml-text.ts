import { stripVTControlCharacters } from 'node:util';

/**
 * Every character XML 1.0 does not allow (https://www.w3.org/TR/xml/#charsets): C0 controls but
 * TAB, LF and CR, lone surrogates, U+FFFE and U+FFFF. With the `u` flag a lone surrogate is one
 * code point, outside every allowed range.
 */
const NOT_XML_10 = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text from anywhere (a server's output, a failure message, a case title) made fit for an XML 1.0
 * document: colour and cursor escape sequences removed, since they mean nothing in a report; any
 * other character XML cannot hold shown as an escape (`\x07`, `\u{fffe}`), so that a BEL the
 * server printed is still seen to be there. One stray such character makes a whole JUnit file
 * unreadable to xmllint, Jenkins and junitparser. Escaping `<` and `&` is the XML writer's job.
 */
export function xmlText(text: string): string {
  return stripVTControlCharacters(text).replace(NOT_XML_10, (char) => {
    const code = char.codePointAt(0) as number;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
