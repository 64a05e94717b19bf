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

  it('says in the page\'s language how many minutes a held sign-in must wait, not the server\'s English', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed sign-ins; try again in 345 s' } }), { status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '345' } })));
    renderLogin();
    expect((await screen.findByRole('alert')).textContent).toBe('Đã có quá nhiều lần đăng nhập sai từ nơi này. Vui lòng thử lại sau 6 phút.');
  });

  it('says the server cannot be reached, in the page\'s language, when the network fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    renderLogin();
    expect((await screen.findByRole('alert')).textContent).toBe('Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.');
  });

  it("goes to an officer's first checkpoint", async () => {
    const me: Me = { username: 'officer.kimthanh', displayName: 'A', role: 'officer', checkpoints: ['kim-thanh-road', 'x'], expiresAt: '2026-11-25T18:00:00Z' };
    vi.stubGlobal('fetch', vi.fn(async () => json(200, me)));
    renderLogin();
    await vi.waitFor(() => expect(window.location.hash).toBe('#/checkpoint/kim-thanh-road'));
  });
});
