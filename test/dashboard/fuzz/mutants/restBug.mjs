/**
 * Mutant for the REST target: the REST twin of the original `watch` bug, put back into the built
 * server without editing its source. Given to `node --import`, it hooks every request of the
 * server's node:http (the same built-in module the server uses) so that once the answer is sent,
 * a field of the JSON body the server read is turned into text the way the `watch` listener did,
 * outside any catch:
 *
 *   res.once('finish', () => String(req.body.username));
 *
 * A body `{"username":{"toString":"x"}}` (to /api/auth/login, or any API route that reads the
 * body) throws "Cannot convert object to primitive value" in the 'finish' event, which nothing
 * catches: the process exits. The first request writes a line to stderr, so that a test can tell
 * the hook took.
 */
import http from 'node:http';

const emit = http.Server.prototype.emit;
let announced = false;

http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request') {
    const [req, res] = args;
    if (!announced) {
      announced = true;
      process.stderr.write('gatewatch mutant: request hook added\n');
    }
    res.once('finish', () => {
      const body = req.body;
      if (body !== null && typeof body === 'object' && 'username' in body) String(body.username);
    });
  }
  return emit.call(this, event, ...args);
};
