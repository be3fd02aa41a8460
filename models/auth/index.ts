/* auth - public surface of the Mailu auth service model */
export { createAuthService, AuthServiceModel } from './service.ts';
export { defaultAuthServiceConfig, type AuthServiceConfig, type AuthServiceFault, type AuthAccount } from './config.ts';
export { MailuAuthenticator, type AuthAnswer } from './authenticate.ts';
