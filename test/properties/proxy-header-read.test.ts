/* proxy-header-read - telling a header that came first and was cut from bytes that overtook it */
import { describe, expect, it } from 'vitest';
import { haproxyReadWarning, headerCameFirst, peekedBytes } from '../../properties/proxy-header-read.ts';

const warning = (text: string) => haproxyReadWarning(['postfix/smtpd: connect from unknown[192.168.203.9]', `postfix/smtpd: warning: haproxy read: ${text}`])!;

describe('proxy-header-read', () => {
  it('finds the peeked bytes in the warning, and none in EOF or a timeout', () => {
    expect(peekedBytes(warning('missing protocol header terminator: PROXY TCP4 2'))).toBe('PROXY TCP4 2');
    expect(peekedBytes(warning('EOF'))).toBeNull();
    expect(peekedBytes(warning('timeout error'))).toBeNull();
    expect(haproxyReadWarning(['postfix/smtpd: connect from unknown[203.0.113.25]'])).toBeUndefined();
  });

  it('a piece of a v1 or v2 header came first; client bytes did not', () => {
    expect(headerCameFirst('PROXY TCP4 2')).toBe(true);
    expect(headerCameFirst('PRO')).toBe(true);
    expect(headerCameFirst('\\r\\n\\r\\n\\000\\r\\nQUIT\\n!\\021\\000')).toBe(true);
    expect(headerCameFirst('\\r\\n\\r')).toBe(true);
    expect(headerCameFirst('EHLO client.example.test\\r\\n')).toBe(false);
    expect(headerCameFirst('\\r\\n')).toBe(true);
    expect(headerCameFirst('PROXY')).toBe(true);
    expect(headerCameFirst('PROXYTCP4')).toBe(false);
  });
});
