/// <reference lib="dom" />
/* controls - the knobs that matter, each a control built from its row of the key table (scenarios/keys.ts)
 *
 * Allowed values, ranges and descriptions come from the table, so a key another release adds or
 * narrows shows up here as it is; a key this build of the lab lacks is left out. Each control
 * shows the scenario's value and reports a change as the `--set` it means.
 */
import { allowedValues, keySpec, type KeySpec, type Scenario, type ScenarioKey } from '../../scenarios/index.ts';

/** The knobs of issue 16, grouped as a class meets them. */
export const KNOB_GROUPS: readonly { readonly title: string; readonly keys: readonly string[] }[] = [
  { title: 'Front proxy', keys: ['front.model', 'front.version'] },
  { title: 'Postfix', keys: ['postfix.mail_version', 'postfix.smtpd_forbid_unauth_pipelining', 'postfix.xclient_lookup_ms'] },
  { title: 'TCP per hop', keys: ['tcp.client_profile', 'tcp.profile', 'tcp.one_way_delay_us'] },
  { title: 'Client', keys: ['client.user', 'client.auth', 'client.pipelining'] },
  { title: 'Faults and timing', keys: ['auth.fault', 'auth.latency_ms', 'sim.scheduling_jitter_us'] },
];

/** Shown beside client.user: XCLIENT LOGIN= carries the login, and Postfix refuses values over 255 bytes (smtpd.c xclient_cmd). */
const LOGIN_NOTE = (user: string) => `login length ${new TextEncoder().encode(user).length} bytes (Postfix refuses an XCLIENT value over 255)`;

export function renderKnobs(holder: HTMLElement, scenario: Scenario, onSet: (key: ScenarioKey, value: string) => void): void {
  holder.replaceChildren(
    ...KNOB_GROUPS.map((group) => {
      const fieldset = document.createElement('fieldset');
      const legend = document.createElement('legend');
      legend.textContent = group.title;
      fieldset.append(legend);
      for (const name of group.keys) {
        const spec = keySpec(name);
        if (spec) fieldset.append(knob(spec, String(scenario.get(spec.name)), onSet));
      }
      return fieldset;
    }),
  );
}

function knob(spec: KeySpec, value: string, onSet: (key: ScenarioKey, value: string) => void): HTMLElement {
  const label = document.createElement('label');
  label.className = 'knob';
  label.title = spec.description;
  const name = document.createElement('span');
  name.className = 'key';
  name.textContent = spec.name;
  const input = inputFor(spec, value);
  input.dataset.key = spec.name;
  input.addEventListener('change', () => onSet(spec.name, input.value));
  const allowed = document.createElement('span');
  allowed.className = 'allowed';
  allowed.textContent = spec.name === 'client.user' ? LOGIN_NOTE(value) : spec.type.kind === 'enum' ? '' : allowedValues(spec.type);
  label.append(name, input, allowed);
  return label;
}

function inputFor(spec: KeySpec, value: string): HTMLInputElement | HTMLSelectElement {
  const type = spec.type;
  if (type.kind === 'enum') {
    const select = document.createElement('select');
    for (const option of type.values) select.append(new Option(option, option, false, option === value));
    return select;
  }
  const input = document.createElement('input');
  if (type.kind === 'integer' || type.kind === 'number') {
    input.type = 'number';
    input.min = String(type.min);
    input.max = String(type.max);
    input.step = type.kind === 'integer' ? '1' : 'any';
  } else input.type = 'text';
  input.value = value;
  return input;
}
