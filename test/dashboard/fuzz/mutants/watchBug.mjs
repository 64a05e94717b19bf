/**
 * Mutant for the socket events target: the original `watch` bug put back into the built server
 * without editing its source. Given to `node --import`, it wraps `Server.prototype.on` of the
 * socket.io that dashboard/server loads (resolved from dist/main.js, so the very module instance
 * the server gets: socket.io's ESM entry re-exports its CommonJS build, which is what this
 * require loads), so that every connection also gets the listener as it first was:
 *
 *   socket.on('watch', (checkpoint) => String(checkpoint));
 *
 * `String({ toString: 'x' })` throws "Cannot convert object to primitive value" in socket.io's
 * dispatch (a process.nextTick), which nothing catches: the process exits. The first connection
 * writes a line to stderr, so that a test can tell the wrap took.
 */
import { createRequire } from 'node:module';
import { URL, fileURLToPath } from 'node:url';

const serverMain = fileURLToPath(new URL('../../../../dashboard/server/dist/main.js', import.meta.url));
const require = createRequire(serverMain);
const where = require.resolve('socket.io');
const { Server } = require('socket.io');
const on = Server.prototype.on;
let announced = false;

Server.prototype.on = function (event, listener) {
  if (event !== 'connection') return on.call(this, event, listener);
  return on.call(this, event, function (socket) {
    socket.on('watch', (checkpoint) => String(checkpoint));
    if (!announced) {
      announced = true;
      process.stderr.write(`gatewatch mutant: unguarded watch listener added (socket.io at ${where})\n`);
    }
    return listener.call(this, socket);
  });
};
