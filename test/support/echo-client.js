// A small echo client for sockspec's own tests (docs/client-contract.md §3): stdin to the server,
// half-close at its end, the server's bytes to stdout until its FIN, exit 0; an error is one line
// on stderr and exit 1. A third argument names a bug that makes it break one rule, so the tests
// can show that the echo-client suite fails such a client:
//   first-read  prints the first read of the reply (at most 1024 bytes) and exits 0: one recv is not a message
//   reset-ok    takes a reset after data for the end of the reply and exits 0
//   close       closes (not half-closes) once stdin is sent, losing the rest of the reply
'use strict';
const net = require('node:net');

const [host, port, bug] = process.argv.slice(2);
const socket = net.connect({ host, port: Number(port), allowHalfOpen: true });
let received = 0;

socket.on('connect', () => {
  process.stdin.on('data', (chunk) => {
    if (!socket.write(chunk)) process.stdin.pause();
  });
  socket.on('drain', () => process.stdin.resume());
  // With the bug the socket is closed once the last byte is written: the reply is lost.
  process.stdin.on('end', () => socket.end(bug === 'close' ? () => socket.destroy() : undefined));
});
socket.on('data', (chunk) => {
  received += chunk.length;
  if (bug === 'first-read') {
    process.stdout.write(chunk.subarray(0, 1024));
    process.exit(0);
  }
  process.stdout.write(chunk);
});
socket.on('end', () => process.exit(0));
socket.on('error', (err) => {
  if (bug === 'reset-ok' && err.code === 'ECONNRESET' && received > 0) process.exit(0);
  process.stderr.write(`echo-client: ${err.message}\n`);
  process.exit(1);
});
