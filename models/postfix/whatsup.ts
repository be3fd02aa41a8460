/* whatsup - log_whatsup(): a rejection logged with all the context smtpd has
 *
 * postfix/src/smtpd/smtpd_check.c log_whatsup() (v3.7.11): "<queue id|NOQUEUE>: <action>: <where>
 * from <client>: <text>;" then from=<sender> and to=<first recipient> while a transaction has them,
 * proto= always (smtpd_state_init() sets SMTP) and helo=<name> once HELO or EHLO gave one.
 */
import type { SmtpdSession } from './session.js';

export function logWhatsup(s: SmtpdSession, action: string, text: string): void {
  const transaction = s.transaction;
  const recipient = transaction?.recipients[0];
  const evidence = [
    transaction ? ` from=<${transaction.sender}>` : '',
    recipient !== undefined ? ` to=<${recipient}>` : '',
    ` proto=${s.protocol}`,
    s.helo !== null ? ` helo=<${s.helo}>` : '',
  ].join('');
  s.log(`${transaction?.queueId ?? 'NOQUEUE'}: ${action}: ${s.where} from ${s.namaddr}: ${text};${evidence}`);
}
