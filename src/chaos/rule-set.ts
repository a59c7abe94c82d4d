/**
 * The chaos rules of one running sandbox, with their counters: decides, per stage of a session,
 * whether a rule fires. Knows nothing of sockets or HTTP; rules live in memory (per node).
 * Server-side only (node:net): the web UI takes what it shares with this file from rules.ts.
 */
import { BlockList, isIP } from 'node:net';
import type { ProfileName } from '../profiles/port-profiles.js';
import { parseClientNetwork } from './client-network.js';
import { Glob } from './glob.js';
import { CHAOS_EVENT_PREFIX, type ChaosRule, type ChaosRuleStatus, type ChaosStage } from './rules.js';
import { formatChaosRule } from './syntax.js';

/** What a session shows of itself at a stage. */
export interface ChaosFacts {
  stage: ChaosStage;
  profile: ProfileName;
  /** The stage's subjects: EHLO name, AUTH user, sender, recipient, or every recipient at data/message. */
  subjects: readonly string[];
  /** The client's IP address, as the socket reports it (`::ffff:127.0.0.1` on a dual-stack listener). */
  client: string;
}

export interface ChaosFiring {
  rule: ChaosRule;
  /** The subject `match` matched; null for a rule without `match`. */
  subject: string | null;
}

interface LiveRule {
  rule: ChaosRule;
  glob: Glob | null;
  network: BlockList | null;
  fired: number;
}

export class ChaosRuleSet {
  #rules: LiveRule[] = [];
  readonly #random: () => number;

  /** `random` returns numbers in [0, 1), as Math.random does (replaced in tests of `probability`). */
  constructor(rules: readonly ChaosRule[] = [], random: () => number = Math.random) {
    this.#random = random;
    this.replace(rules);
  }

  /** Replaces every rule; counters start again at zero. */
  replace(rules: readonly ChaosRule[]): ChaosRuleStatus[] {
    this.#rules = rules.map((rule) => ({
      rule,
      glob: rule.match === undefined ? null : new Glob(rule.match),
      network: rule.client === undefined ? null : blockListOf(rule.client),
      fired: 0,
    }));
    return this.list();
  }

  /** Removes every rule and returns them with their final counters. */
  clear(): ChaosRuleStatus[] {
    const removed = this.list();
    this.#rules = [];
    return removed;
  }

  list(): ChaosRuleStatus[] {
    return this.#rules.map(({ rule, fired }) => ({
      ...rule,
      fired,
      remaining: rule.times === undefined ? null : rule.times - fired,
    }));
  }

  /** The first rule, in order, that applies to these facts and fires (counted); null when none does. */
  decide(facts: ChaosFacts): ChaosFiring | null {
    for (const live of this.#rules) {
      const { rule } = live;
      if (rule.stage !== facts.stage) continue;
      if (rule.profile !== undefined && rule.profile !== facts.profile) continue;
      if (live.network !== null && !inNetwork(live.network, facts.client)) continue;
      if (rule.times !== undefined && live.fired >= rule.times) continue;
      const subject = live.glob === null ? null : facts.subjects.find((s) => live.glob?.matches(s));
      if (subject === undefined) continue;
      // `random() < 1` always holds and `random() < 0` never does: probability 1 and 0 are exact.
      if (this.#random() >= rule.probability) continue;
      live.fired += 1;
      return { rule, subject };
    }
    return null;
  }
}

/** The network of a validated `client` option. */
function blockListOf(client: string): BlockList {
  const network = parseClientNetwork(client);
  if (network === null) throw new TypeError(`Not a validated chaos client network: ${client}`);
  const list = new BlockList();
  list.addSubnet(network.address, network.prefix, network.family);
  return list;
}

/**
 * BlockList matches an IPv4 network for its IPv4-mapped IPv6 addresses too, and the other way
 * round. A socket without an address (`unknown`) is in no network.
 */
function inNetwork(network: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && network.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const STAGE_NAMES: Readonly<Record<ChaosStage, string>> = {
  connect: 'the connection (greeting)',
  ehlo: 'EHLO/HELO',
  auth: 'AUTH',
  mail: 'MAIL FROM',
  rcpt: 'RCPT TO',
  data: 'DATA',
  message: 'the message',
};

/** The transcript event of a firing: which rule did what, so nobody blames the client for it. */
export function describeFiring({ rule, subject }: ChaosFiring): string {
  const target = subject === null ? '' : ` for <${subject}>`;
  const what = STAGE_NAMES[rule.stage];
  const effect =
    rule.action.type === 'reply'
      ? `replies ${rule.action.code} ${rule.action.enhancedCode} instead of accepting ${what}`
      : rule.action.type === 'delay'
        ? `holds the reply to ${what} back for ${rule.action.delayMs} ms`
        : `closes the connection instead of answering ${what}`;
  return `${CHAOS_EVENT_PREFIX}${rule.id} (${formatChaosRule(rule)}) fired${target}: the server ${effect} on purpose`;
}
