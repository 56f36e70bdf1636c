// A TCP echo server (RFC 862): the project under test. Usage: node server.js PORT
const net = require('node:net');

const sockets = new Set();
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log(`echo server listening on ${server.address().port}`));

// Stop cleanly: FIN to every client, then exit once they have gone (or after a second at most).
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.end();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
