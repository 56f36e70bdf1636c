/** Minimal terminal styling: colour only on a terminal, and never when NO_COLOR is set. */
const enabled = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

const paint = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);

export const style = {
  pass: paint(32),
  fail: paint(31),
  warn: paint(33),
  dim: paint(2),
  bold: paint(1),
};
