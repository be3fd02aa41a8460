/* mailu-releases - Mailu releases as scenarios: the front that serves submission and the component releases each ships
 *
 * Read from Mailu's own files at the release tags (Mailu/Mailu): the Alpine branch from
 * core/base/Dockerfile (`ARG DISTRO`), the packages from core/{nginx,postfix,dovecot}/Dockerfile
 * (`apk add`), the submission front from core/nginx/conf/nginx.conf (`mail {}` servers 465/587)
 * and core/nginx/dovecot/proxy.conf. Mailu installs Postfix, Dovecot and nginx with `apk add`
 * while building each tag's image, so a release gets its Alpine branch's package of the build
 * day; the versions below are the branch's package as the Alpine index lists it
 * (pkgs.alpinelinux.org/package/<branch>/main/<arch>/<package>, stored copy), which is what
 * building the tag's Dockerfile installs. An image Mailu built earlier may carry an earlier
 * patch level of the same line: docs/versions.md says which lab gates that would change.
 */
import type { ScenarioValues } from './keys.ts';
import type { ScenarioDefinition } from './scenario.ts';

/**
 * What every modelled Mailu release's core/postfix/conf/main.cf sets that the lab reads and a
 * release's default may differ from: milter_default_action = tempfail (line 135 at 2.0.43, 136 at
 * 2024.06.57), which Postfix 3.9.9's default (shutdown) would otherwise replace.
 */
const MAILU_MAIN_CF: Partial<ScenarioValues> = { 'postfix.milter_default_action': 'tempfail' };

/**
 * Mailu 2024.06 (tag 2024.06.0, Alpine 3.20): Dovecot submission-login serves 465/587
 * (core/nginx/dovecot/proxy.conf) in front of Postfix 3.9's smtpd on 10025; the front's Dovecot
 * comes from edge/main pinned below 2.4 (core/nginx/Dockerfile `'dovecot-lmtpd<2.4'`). Kept at
 * 3.9.0 with the lab's default Dovecot 2.3.19.1: Alpine 3.20.0 shipped Postfix 3.9.0, and
 * 2.3.17-2.3.21.1 are one model (docs/versions.md), so the scenario keeps the traces it has always had.
 */
const MAILU_2024_06: Partial<ScenarioValues> = { 'front.model': 'dovecot-2.3', 'postfix.mail_version': '3.9', ...MAILU_MAIN_CF };

export const MAILU_RELEASES: readonly ScenarioDefinition[] = [
  { name: 'mailu-2024.06', description: 'Mailu 2024.06: Dovecot 2.3 submission proxy -> Postfix 3.9 defaults', values: MAILU_2024_06 },
  {
    name: 'mailu-2024.06-pr3322',
    description: 'Mailu 2024.06 with PR 3322: smtpd_forbid_unauth_pipelining = no',
    // PR 3322 (commit 648c98ab) in core/postfix/conf/main.cf; first release tag with it: 2024.06.6.
    values: { ...MAILU_2024_06, 'postfix.smtpd_forbid_unauth_pipelining': 'no' },
  },
  {
    name: 'mailu-2.0',
    description: 'Mailu 2.0 (2.0.43): nginx mail proxy on 465/587, smtp_auth plain login, XCLIENT -> Postfix 3.8',
    // Tag 2.0.43: core/base/Dockerfile ghcr.io/mailu/alpine:3.18.4; nginx.conf servers 587 (starttls
    // only) and 465 (ssl) with `smtp_auth plain login`, xclient left at its default on; the auth
    // service sends authenticated SMTP to Postfix's 10025 (core/admin/mailu/internal/nginx.py).
    // Postfix 3.8.9: Alpine v3.18 postfix(-doc) 3.8.9-r0 (commit c000fdd2, built 2025-02-25).
    // nginx 1.24.0: Alpine 3.18's stable line; no stored index page names the patch level, and every
    // modelled nginx before 1.29.2 behaves the same here (docs/versions.md).
    values: {
      'front.model': 'nginx',
      'front.version': '1.24.0',
      'front.smtp_auth': 'login plain',
      'postfix.mail_version': '3.8.9',
      'auth.mailu_version': '2.0.43',
      ...MAILU_MAIN_CF,
    },
  },
  {
    name: 'mailu-2024.06.57',
    description: 'Mailu 2024.06.57, the newest release: Dovecot 2.3.21.1 -> Postfix 3.9.9 with smtpd_forbid_unauth_pipelining = no',
    // Tag 2024.06.57 (the newest tag; no later release line): core/base/Dockerfile
    // ghcr.io/mailu/alpine:3.20.10, main.cf with PR 3322's setting, the same Dovecot front as 2024.06.
    // Postfix 3.9.9: Alpine v3.20 postfix 3.9.9-r0 (commit 07a83664, built 2026-02-22).
    // Dovecot 2.3.21.1: `'dovecot-lmtpd<2.4'` resolves to the newest 2.3, Alpine v3.20 dovecot
    // 2.3.21.1-r0 (commit 6f9ab313, built 2024-08-20); 2.3.21.1 is also the last 2.3 release.
    values: {
      'front.model': 'dovecot-2.3',
      'front.version': '2.3.21.1',
      'postfix.mail_version': '3.9.9',
      'postfix.smtpd_forbid_unauth_pipelining': 'no',
      // login.lua url-encodes the credentials and nginx.py only unquotes them (from 2024.06.9: models/auth/releases.ts).
      'auth.mailu_version': '2024.06.57',
      ...MAILU_MAIN_CF,
    },
  },
];

/**
 * Mailu releases the lab will not pretend to model, with the reason, so that asking for one says
 * why instead of "unknown scenario".
 */
export const UNMODELLED_MAILU_RELEASES: Readonly<Record<string, string>> = {
  'mailu-1.9':
    'Mailu 1.9 (tag 1.9.50, alpine:3.14.5) serves submission with nginx 1.20.2 (Alpine v3.14 nginx 1.20.2-r1; ' +
    "core/nginx/conf/nginx.conf 465/587 `smtp_auth plain login`) in front of Postfix 3.6.7, and the lab's nginx model starts at 1.22.0: " +
    "nginx's SMTP path changed in 1.21.0 (max_errors, commit 173f16f73; the reply before pipelined input, 60a5a6f0d; " +
    'an invalid command split between reads, 204f944ad; a full client buffer, 7b9920aad), so 1.20 would behave differently from every modelled release',
};
