import { clientOf, USER_AGENT_MAX_LENGTH } from './client-info.js';

const request = (ip: string, userAgent?: string) => ({
  ip,
  headers: userAgent === undefined ? {} : { 'user-agent': userAgent },
});

describe('clientOf', () => {
  it('keeps IPv4 and IPv6 addresses, zones included, and the user agent as sent', () => {
    expect(clientOf(request('203.0.113.7', 'Firefox'))).toEqual({
      ipAddress: '203.0.113.7',
      userAgent: 'Firefox',
    });
    expect(clientOf(request('2001:db8::1')).ipAddress).toBe('2001:db8::1');
    expect(clientOf(request('fe80::1%eth0')).ipAddress).toBe('fe80::1%eth0');
  });

  it('records no address for what a forwarded header made up', () => {
    for (const ip of ['', 'unknown', 'not-an-address', '203.0.113.7, 10.0.0.1', `1.${'1'.repeat(70)}`])
      expect(clientOf(request(ip)).ipAddress).toBeNull();
  });

  it('cuts a long user agent, trims it, and records none when it is absent or blank', () => {
    expect(clientOf(request('::1', 'a'.repeat(USER_AGENT_MAX_LENGTH + 1))).userAgent).toBe(
      'a'.repeat(USER_AGENT_MAX_LENGTH),
    );
    expect(clientOf(request('::1', '  Safari  ')).userAgent).toBe('Safari');
    expect(clientOf(request('::1', '   ')).userAgent).toBeNull();
    expect(clientOf(request('::1')).userAgent).toBeNull();
  });
});
