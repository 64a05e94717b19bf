/** The officer view's data comes over the socket: `watch(checkpoint)` then the room's events. */
export { getSocket } from '../../lib/socket.js';
export const checkpointHref = (id: string) => `#/checkpoint/${encodeURIComponent(id)}`;
