/* mailu-env-map - Mailu's mailu.env onto the lab: the auth service's settings and the deployment's shape
 *
 * The AUTH_* settings are the auth model's own (models/auth/config.ts, named as Mailu's
 * configuration.py), compared with the lab's; SUBNET is the network the lab's layout plays;
 * PROXY_PROTOCOL and TLS_FLAVOR decide whether the client's side carries things the lab does
 * not model. Everything else configures features off the login path.
 */
import { authConfigOf } from '../scenarios/topology.ts';
import type { AuthServiceConfig } from '../models/auth/config.ts';
import { emptyResult, ignored, sameAs, TLS_NOT_MODELLED, unsupported, type MapperResult } from './entries.ts';
import type { Setting } from './source.ts';

/** Auth service settings the model reads, under Mailu's names. */
const AUTH_SETTINGS = ['AUTH_RATELIMIT_IP', 'AUTH_RATELIMIT_USER', 'AUTH_RATELIMIT_IP_V4_MASK', 'AUTH_RATELIMIT_IP_V6_MASK', 'AUTH_RATELIMIT_EXEMPTION', 'AUTH_RATELIMIT_EXEMPTION_LENGTH'] as const satisfies readonly (keyof AuthServiceConfig)[];

const ALREADY_RENDERED = "already rendered into the daemons' configuration files, which the import reads";

const SPECIAL: Readonly<Record<string, (setting: Setting, result: MapperResult) => void>> = {
  SUBNET: (setting, result) => result.entries.push({ list: 'mapped', setting, key: null, value: setting.value, note: "the containers' network: the lab puts the front, the auth service and Postfix inside it and the client outside" }),
  TLS_FLAVOR: (setting, result) => result.entries.push(setting.value === 'notls' ? ignored(setting, 'no TLS, as the lab') : unsupported(setting, TLS_NOT_MODELLED)),
  PROXY_PROTOCOL: (setting, result) => result.entries.push(setting.value === '' ? ignored(setting, 'empty: no PROXY protocol') : unsupported(setting, 'a PROXY header before SMTP on the client side, which the lab\'s fronts do not read')),
  MESSAGE_SIZE_LIMIT: (setting, result) => result.entries.push(ignored(setting, ALREADY_RENDERED)),
  PORTS: (setting, result) => result.entries.push(ignored(setting, ALREADY_RENDERED)),
};

export function mapMailuEnv(settings: ReadonlyMap<string, Setting>): MapperResult {
  const result = emptyResult();
  for (const [name, setting] of settings) {
    if ((AUTH_SETTINGS as readonly string[]).includes(name)) {
      result.fixed.push(sameAs(setting, (scenario) => String(authConfigOf(scenario)[name as (typeof AUTH_SETTINGS)[number]]), "the lab's auth service limits logins with its own value: a lower limit refuses logins the lab serves"));
    } else if (name in SPECIAL) SPECIAL[name]!(setting, result);
    else result.entries.push(ignored(setting, 'not on the login path (features, web, names, storage)'));
  }
  return result;
}
