import { describe, expect, it } from 'vitest';
import { href, parseHash } from './router.js';

describe('hash router', () => {
  it('parses the routes', () => {
    expect(parseHash('')).toEqual({ name: 'overview' });
    expect(parseHash('#/')).toEqual({ name: 'overview' });
    expect(parseHash('#/checkpoint/kim-thanh-road')).toEqual({ name: 'checkpoint', id: 'kim-thanh-road' });
    expect(parseHash('#/manager')).toEqual({ name: 'manager' });
    expect(parseHash('#/wait/')).toEqual({ name: 'wait' });
    expect(parseHash('#/login')).toEqual({ name: 'login' });
    expect(parseHash('#/nope')).toEqual({ name: 'notFound', path: '/nope' });
    expect(parseHash('#/checkpoint')).toEqual({ name: 'notFound', path: '/checkpoint' });
  });

  it('round-trips hrefs', () => {
    for (const h of ['#/', '#/checkpoint/dinh-vu-port', '#/manager', '#/wait', '#/login']) expect(href(parseHash(h))).toBe(h);
  });
});
