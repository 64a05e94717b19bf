// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { Me } from '@gatewatch/shared';
import { I18nProvider } from '../../../i18n/index.js';
import { AuthProvider } from '../hooks/useAuth.js';
import { LoginPage } from './LoginPage.js';

// no real socket in unit tests
vi.mock('../../../lib/socket.js', () => {
  const socket = { on: () => socket, off: () => socket, connect: () => socket, disconnect: () => socket, connected: false };
  return { getSocket: () => socket, reconnectSocket: () => {} };
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = '';
});

function renderLogin() {
  render(
    <I18nProvider initialLang="vi">
      <AuthProvider initialMe={null}>
        <LoginPage />
      </AuthProvider>
    </I18nProvider>,
  );
  fireEvent.change(screen.getByLabelText('Tên đăng nhập'), { target: { value: 'officer.kimthanh' } });
  fireEvent.change(screen.getByLabelText('Mật khẩu'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByRole('button', { name: 'Đăng nhập' }));
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('LoginPage', () => {
  it('says the credentials are wrong on 401', async () => {
    const fetch = vi.fn(async () => json(401, { error: { code: 'unauthorized', message: 'wrong username or password' } }));
    vi.stubGlobal('fetch', fetch);
    renderLogin();
    expect((await screen.findByRole('alert')).textContent).toBe('Sai tên đăng nhập hoặc mật khẩu.');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/auth/login');
    expect((init.headers as Record<string, string>)['X-GateWatch']).toBe('1');
    expect(init.credentials).toBe('same-origin');
  });

  it("shows the server's message for other errors", async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(429, { error: { code: 'rate_limited', message: 'too many attempts' } })));
    renderLogin();
    expect((await screen.findByRole('alert')).textContent).toBe('too many attempts');
  });

  it("goes to an officer's first checkpoint", async () => {
    const me: Me = { username: 'officer.kimthanh', displayName: 'A', role: 'officer', checkpoints: ['kim-thanh-road', 'x'], expiresAt: '2026-11-25T18:00:00Z' };
    vi.stubGlobal('fetch', vi.fn(async () => json(200, me)));
    renderLogin();
    await vi.waitFor(() => expect(window.location.hash).toBe('#/checkpoint/kim-thanh-road'));
  });
});
