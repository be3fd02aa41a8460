/* postfix-expand - a main.cf parameter's value as Postfix evaluates it: its $parameters expanded, from what the files state and the defaults the import knows
 *
 * util/mac_expand.c mac_expand_callback() (v3.7.11; the same at v3.5.0, v3.8.6, v3.9.0 and v3.10.13):
 * "$name", "${name}" and "$(name)" become the named parameter's value, itself expanded ("$$" a "$",
 * util/mac_parse.c mac_parse()); past 100
 * levels of nesting it is "unreasonable macro call nesting" and Postfix stops ("fatal: macro
 * processing error"), so the import refuses it at the line. A parameter the files do not state
 * expands to its default (global/mail_params.h DEF_*) where the import can evaluate that; the
 * others, the machine's host name among them, are named as unknown in the value. The conditional
 * forms ("${name?text}", "${name:text}", "${{...} <level {...} ? ...}") in a stated value are
 * unknown too; the defaults that use them (relay_domains, mynetworks_style) are evaluated here.
 */
import { modelledRelease } from '../models/postfix/releases.ts';
import { ConfigError, type Setting } from './source.ts';

/** An evaluated value: its text (unknown parts shown in angle brackets) and what in it the import could not evaluate. */
export interface Evaluated {
  readonly text: string;
  readonly unknown: readonly string[];
}

const known = (text: string): Evaluated => ({ text, unknown: [] });
const unknownPart = (shown: string, why: string): Evaluated => ({ text: `<${shown}>`, unknown: [why] });

/** mac_expand_callback()'s nesting bound. */
const MAX_NESTING = 100;

/** compatibility_level as compat_level.c compat_level_from_string() reads it: major[.minor[.patch]]. */
export type CompatLevel = readonly [major: number, minor: number, patch: number];

/** What main.cf (with the service's -o) states, and the defaults at the release evaluated from it. */
export class PostfixValues {
  constructor(
    private readonly effective: ReadonlyMap<string, Setting>,
    private readonly version: string,
  ) {}

  stated(name: string): Setting | undefined {
    return this.effective.get(name);
  }

  /** The parameter's value, expanded: stated, or its default. `via`: the stated setting whose expansion asks (where a loop is refused). */
  value(name: string, depth = 0, via: Setting | null = null): Evaluated {
    const setting = this.effective.get(name);
    if (setting !== undefined) return this.expand(setting.value, setting, depth);
    return this.defaultOf(name, depth, via);
  }

  /**
   * compatibility_level (mail_params.h DEF_COMPAT_LEVEL "0" at every modelled release), parsed as
   * compat_level_from_string() does; malformed, Postfix stops (msg_fatal). On the 3.5 line it is a
   * number (CONFIG_INT_TABLE; dotted levels came with 3.6.0's compat_level.c).
   */
  compatibilityLevel(depth = 0): CompatLevel {
    const setting = this.effective.get('compatibility_level');
    if (setting === undefined) return [0, 0, 0];
    const text = this.expand(setting.value, setting, depth);
    const release = modelledRelease(this.version);
    const dotted = release !== null && (release[0] > 3 || release[1] >= 6);
    const match = (dotted ? /^(\d+)(?:\.(\d+)(?:\.(\d+))?)?$/ : /^(\d+)$/).exec(text.text.trim());
    const bound = (part: string | undefined, max: number) => part === undefined || Number(part) <= max;
    if (text.unknown.length > 0 || match === null || !bound(match[2], 1023) || !bound(match[3], 1023)) {
      const why = dotted ? `malformed compatibility level syntax: "${text.text.trim()}"` : `bad numerical configuration: compatibility_level = ${text.text.trim()} (Postfix ${this.version} reads a number; dotted levels came with 3.6.0)`;
      throw new ConfigError(setting.where, `compatibility_level = ${setting.value}: Postfix stops: ${why} (global/compat_level.c compat_level_from_string(), mail_params.c mail_params_init())`);
    }
    return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  }

  /** "${{$compatibility_level} <level {2} ? {a} : {b}}": whether the level is below 2 (compat_level.c compat_relop_eval()). */
  belowLevel2(depth = 0): boolean {
    return this.compatibilityLevel(depth)[0] < 2;
  }

  private defaultOf(name: string, depth: number, via: Setting | null): Evaluated {
    const expandDefault = (text: string) => this.expand(text, via, depth);
    switch (name) {
      // check_myhostname() (mail_params.c): gethostname(), with ".$mydomain" when it has no dot: the machine's, not in the files.
      case 'myhostname': return unknownPart("this host's name", "myhostname is not stated: Postfix takes the machine's host name (mail_params.c check_myhostname(): gethostname()), which the files do not give");
      case 'mydomain': return this.mydomainOf(depth, via);
      case 'myorigin': return expandDefault('$myhostname'); // DEF_MYORIGIN
      case 'mydestination': return expandDefault('$myhostname, localhost.$mydomain, localhost'); // DEF_MYDEST
      case 'relay_domains': return this.belowLevel2(depth + 1) ? expandDefault('$mydestination') : known(''); // DEF_RELAY_DOMAINS
      case 'virtual_mailbox_domains': return expandDefault('$virtual_mailbox_maps'); // DEF_VIRT_MAILBOX_DOMS
      case 'virtual_mailbox_maps': return known(''); // DEF_VIRT_MAILBOX_MAPS
      case 'virtual_alias_domains': return expandDefault('$virtual_alias_maps'); // DEF_VIRT_ALIAS_DOMS
      case 'virtual_alias_maps': return expandDefault('$virtual_maps'); // DEF_VIRT_ALIAS_MAPS "$virtual_maps" ("Compatibility!")
      case 'virtual_maps': return known(''); // no DEF_ of its own: the old name, empty (postconf -d virtual_maps)
      case 'mynetworks_style': return known(this.belowLevel2(depth + 1) ? 'subnet' : 'host'); // DEF_MYNETWORKS_STYLE
      case 'compatibility_level': return known('0'); // DEF_COMPAT_LEVEL
      default: return unknownPart(`$${name}`, `$${name}: not stated, and its default is not one the import evaluates`);
    }
  }

  /** check_mydomainname() (mail_params.c): what follows myhostname's first dot, else DEF_MYDOMAIN "localdomain". */
  private mydomainOf(depth: number, via: Setting | null): Evaluated {
    const hostname = this.value('myhostname', depth + 1, via);
    if (hostname.unknown.length > 0) return unknownPart("this host's domain", `mydomain is not stated: Postfix takes what follows the first dot of the host's name (mail_params.c check_mydomainname()), and ${hostname.unknown[0]}`);
    const dot = hostname.text.indexOf('.');
    return known(dot < 0 ? 'localdomain' : hostname.text.slice(dot + 1));
  }

  private expand(text: string, at: Setting | null, depth: number): Evaluated {
    // Defaults do not refer to each other in a loop, so a loop runs through a stated setting: `at` is set by then.
    if (depth > MAX_NESTING && at !== null) throw new ConfigError(at.where, `${at.name} = ${at.value}: Postfix stops: unreasonable macro call nesting (util/mac_expand.c mac_expand_callback(); postconf: fatal: macro processing error)`);
    const unknown: string[] = [];
    const out = text.replace(/\$(\$|\w+|\{([^{}]*)\}|\(([^()]*)\)|\{)/g, (whole, body: string, braced?: string, parens?: string) => {
      if (body === '$') return '$';
      const name = braced ?? parens ?? body;
      if (!/^\w+$/.test(name)) {
        unknown.push(`${whole}: a conditional expansion the import does not evaluate`);
        return `<${whole}>`;
      }
      const value = this.value(name, depth + 1, at);
      unknown.push(...value.unknown);
      return value.text;
    });
    return { text: out, unknown };
  }
}
