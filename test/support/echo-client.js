// A small echo client for sockspec's own tests (docs/client-contract.md §3): stdin to the server,
// half-close at its end, the server's bytes to stdout until its FIN, exit 0; an error is one line
// on stderr and exit 1. A third argument, first-read, gives it a bug: it prints the first read of
// the reply (at most 1024 bytes) and exits 0, as if one recv were the message.
'use strict';
const net = require('node:net');

const [host, port, bug] = process.argv.slice(2);
const socket = net.connect({ host, port: Number(port), allowHalfOpen: true });

socket.on('connect', () => {
  process.stdin.on('data', (chunk) => {
    if (!socket.write(chunk)) process.stdin.pause();
  });
  socket.on('drain', () => process.stdin.resume());
  process.stdin.on('end', () => socket.end());
});
socket.on('data', (chunk) => {
  if (bug === 'first-read') {
    process.stdout.write(chunk.subarray(0, 1024));
    process.exit(0);
  }
  process.stdout.write(chunk);
});
// Exit once stdout has taken the last byte: writes to a pipe are asynchronous, and an exit at
// once would drop those still queued.
socket.on('end', () => process.stdout.write('', () => process.exit(0)));
socket.on('error', (err) => {
  process.stderr.write(`echo-client: ${err.message}\n`);
  process.exit(1);
});
