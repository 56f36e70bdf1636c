import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './support/cli';
import { describeWithPrograms } from './support/tools';

const ECHO_CLIENTS = path.join(ROOT, 'fixtures', 'clients', 'echo');

/**
 * The reference echo client's two threads both wake on a reset, and Linux hands the reset's error
 * to whichever call comes first: the other sees a plain end of stream. In CI a client built on the
 * reference exited 0 after `reset-mid-stream`'s reset, once in many runs, because its sender took
 * the error and its receiver read an end of stream. Here the order is forced: a send takes the
 * error first, then the reader's end of stream must still be told from a FIN.
 */
const SCRIPT = `
import select, socket, struct, sys
sys.argv = ["reference.py", "host", "port"]
import reference

listener = socket.create_server(("127.0.0.1", 0))
def pair():
    client = socket.create_connection(listener.getsockname())
    return client, listener.accept()[0]

def verdict(client):
    try:
        reference.end_of_stream(client)
        return "fin"
    except ConnectionResetError:
        return "reset"

client, server = pair()
client.sendall(b"x" * 1000)
server.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
server.close()
select.select([client], [], [], 5)  # the reset has arrived
try:
    client.send(b"y")
    sender = "sent"
except ConnectionResetError:
    sender = "took the reset"
print(sender, client.recv(10), verdict(client))

client, server = pair()
server.shutdown(socket.SHUT_WR)
print(client.recv(10), verdict(client))

client, server = pair()
reference.half_closed.set()
client.shutdown(socket.SHUT_WR)
server.close()
select.select([client], [], [], 5)  # the server's FIN has arrived
print(client.recv(10), verdict(client))
`;

describeWithPrograms(['python3'], 'the reference echo client at an end of stream', () => {
  test('a reset whose error the sender took is still a reset; a FIN, before or after our own, is not', () => {
    const lines = execFileSync('python3', ['-S', '-c', SCRIPT], { cwd: ECHO_CLIENTS, encoding: 'utf8', timeout: 20_000 }).trim().split('\n');
    expect(lines).toEqual(["took the reset b'' reset", "b'' fin", "b'' fin"]);
  });
});
