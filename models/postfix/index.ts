/* index - the Postfix smtpd model's public surface for the simulator, runtime and CLI */
export { createPostfix, type PostfixModel } from './smtpd.js';
export {
  labPreset, mailuPreset, measuredTimings, parsePostfixConfig, postfixDefaults, versionDefaults,
  type PostfixConfig, type PostfixTimings,
} from './config.js';
export { KEEP_EVERYTHING, PostfixQueue, type QueueRetention, type QueuedMessage } from './queue.js';
