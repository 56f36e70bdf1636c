import { LineReader, type LineEvent } from '../harness/servers/line-reader';

/** Feeds the chunks in turn and renders every event: a line as its text, an over-long line as `!`. */
function read(maxLine: number, ...chunks: string[]): string[] {
  const reader = new LineReader(maxLine);
  return chunks.flatMap((chunk) => reader.push(Buffer.from(chunk, 'latin1')).map(render));
}

function render(event: LineEvent): string {
  return event.kind === 'line' ? event.line.toString('latin1') : '!';
}

describe('LineReader', () => {
  test('two lines in one chunk are two lines', () => {
    expect(read(16, 'one\ntwo\n')).toEqual(['one', 'two']);
  });

  test('bytes after the last LF wait for the rest of their line', () => {
    expect(read(16, 'one\ntw', 'o', '\nthree')).toEqual(['one', 'two']);
  });

  test('a line written one byte at a time is one line', () => {
    expect(read(16, ...'split\n')).toEqual(['split']);
  });

  test('only a CR right before the LF is dropped', () => {
    expect(read(16, 'a\r\n', 'b\rc\n', 'd\r\r\n', 'e\r', '\n')).toEqual(['a', 'b\rc', 'd\r', 'e']);
  });

  test('an empty line is a line', () => {
    expect(read(16, '\n\r\n')).toEqual(['', '']);
  });

  test('a line of exactly maxLine bytes passes, with LF or CRLF', () => {
    expect(read(4, 'abcd\n', 'abcd\r\n')).toEqual(['abcd', 'abcd']);
  });

  test('one byte over maxLine is too long once the LF shows it', () => {
    expect(read(4, 'abcde\n', 'abcd\r\r\n', 'ok\n')).toEqual(['!', '!', 'ok']);
  });

  test('an over-long line is reported before its LF, once, and skipped through its LF', () => {
    const reader = new LineReader(4);
    const early = reader.push(Buffer.from('abcdef'));
    const rest = ['ghij', 'klmn', 'op\nnext\n'].flatMap((chunk) => reader.push(Buffer.from(chunk)));
    expect(early.map(render)).toEqual(['!']);
    expect(rest.map(render)).toEqual(['next']);
  });

  test('a CR at maxLine + 1 is not yet too long, since an LF may follow', () => {
    expect(read(4, 'abcd\r', '\n')).toEqual(['abcd']);
  });
});
