/* client - public face of the SMTP client model: the script type, the swaks presets, the model */
export type { AuthMechanism, ClientGroup, ClientScript, ClientStep } from './script.ts';
export { lockstepGroups } from './script.ts';
export { SmtpClient, type AcceptedMessage, type ClientClosedBy, type ClientResult } from './client.ts';
export { defaultSwaksScript, swaksMessage, swaksScript, SWAKS_REPLY_TIMEOUT_US, SWAKS_THINK_TIME_US, type SwaksOptions } from './swaks.ts';
export { pipeliningViolations, stepVerb, type PipeliningViolation } from './rfc2920.ts';
export { authContinuations, messageBytes, stepBytes } from './commands.ts';
export { MAX_REPLY_BYTES, ReplyParser, type ServerReply } from './reply-parser.ts';
