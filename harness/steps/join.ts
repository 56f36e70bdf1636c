import { DEFAULT_CONN } from './support/scope';
import { patienceFor, type StepContext } from './context';
import type { TcpConnection } from '../net/tcp-connection';
import { StepFailure } from '../verdict/failure';
import { ConnOnly, defineStep } from './define';
import { fixed } from '../net/payload';
import { readLines, shown, unreadEvidence, wholeLine } from './support/line-input';
import { connPlaceholder, expand } from './support/template';

export const join = defineStep({
  name: 'join',
  summary:
    "Makes a connection a member of the chat the active profile describes, by the profile's join exchange " +
    '(sockspec-chat: HELLO, NICK <conn>, WELCOME, MEMBERS; ncat-chat: the two announcements).',
  shorthand: 'conn',
  schema: ConnOnly,
  describe: (p) => `join ${p.conn ?? DEFAULT_CONN}`,
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    const conn = ctx.scope.tcp(name);
    const profile = ctx.run.profile();
    const own = connPlaceholder(ctx, name);
    for (const [i, line] of profile.join.entries()) {
      const where = `join exchange of profile ${profile.profile}, line ${i + 1}`;
      if ('send' in line) conn.send(fixed(Buffer.from(`${expand(line.send, ctx, own)}\n`), where), { chunk: 0, delay: 0, window: 0 });
      else await expectOne(conn, ctx, expand(line.expect, ctx, own), where);
    }
  },
});

async function expectOne(conn: TcpConnection, ctx: StepContext, source: string, where: string): Promise<void> {
  const pattern = wholeLine(source, `${where}: /${source}/`);
  let received: string | undefined;
  const stopped = await readLines(conn, patienceFor(ctx, undefined), (line) => {
    received = line;
    return true;
  });
  if (stopped !== undefined) throw new StepFailure(`${where}: expected a line matching /${source}/; ${stopped} first`, unreadEvidence(conn));
  if (!pattern.test(received as string)) throw new StepFailure(`${where}: expected a line matching /${source}/, received ${shown(received as string)}`);
}
