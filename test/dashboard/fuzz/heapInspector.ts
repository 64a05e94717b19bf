/**
 * The heap of the server process after a full GC, read over its inspector (`--inspect=127.0.0.1:0`,
 * Chrome DevTools Protocol: `HeapProfiler.collectGarbage`, then `process.memoryUsage()`), so that
 * two figures compare live objects, not garbage a lazy collector has not yet taken; RSS is read
 * along and reported, not judged (V8 keeps freed pages).
 */
import WebSocket from 'ws';

export interface Memory {
  heapUsed: number;
  rss: number;
}

/**
 * The heap after a full garbage collection, and the RSS, of the process whose inspector listens
 * at `inspectorUrl`: a session opened for this and closed again (an open session would hold an
 * exiting process back waiting for its debugger).
 */
export async function heapAfterGc(inspectorUrl: string): Promise<Memory> {
  const ws = new WebSocket(inspectorUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let id = 0;
    const call = (method: string, params: object = {}): Promise<{ result?: { result?: { value?: unknown } }; error?: unknown }> =>
      new Promise((resolve, reject) => {
        const mine = ++id;
        const onMessage = (data: WebSocket.RawData): void => {
          const msg = JSON.parse(data.toString()) as { id?: number; result?: { result?: { value?: unknown } }; error?: unknown };
          if (msg.id !== mine) return;
          ws.off('message', onMessage);
          if (msg.error) reject(new Error(`${method}: ${JSON.stringify(msg.error)}`));
          else resolve(msg);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id: mine, method, params }));
      });
    // Twice: objects with finalizers or weak references are only taken by the second.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const m = JSON.parse(String(r.result?.result?.value)) as { heapUsed: number; rss: number };
    return { heapUsed: m.heapUsed, rss: m.rss };
  } finally {
    ws.close();
    await new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));
  }
}
