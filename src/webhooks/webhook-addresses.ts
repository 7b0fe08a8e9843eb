import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Where a host name points (the system's resolver). A provider of its own so that tests can answer
 * what a hostile DNS would (a private address at delivery after a public one at creation).
 */
@Injectable()
export class WebhookResolver {
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const found = await lookup(hostname, { all: true, verbatim: true });
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  }
}

/**
 * The addresses no webhook is sent to unless WEBHOOK_ALLOW_PRIVATE=true: this host, private
 * networks, link-local (the cloud metadata services at 169.254.169.254 and fd00:ec2::254 among
 * them), carrier-grade NAT, multicast, reserved and unspecified ranges, and the IPv6 forms that
 * carry an IPv4 address (mapped, NAT64, 6to4), which could carry a private one.
 */
const REFUSED: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 127, 'ipv6'],
  ['::ffff:0:0', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/**
 * One list per family: node's BlockList matches an IPv4 address against IPv6 rules through its
 * mapped form, so one list holding `::ffff:0:0/96` would refuse every IPv4 address.
 */
function refusedAddresses(type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of REFUSED) if (family === type) list.addSubnet(network, prefix, type);
  return list;
}

/** Why a webhook URL may not be used, in words a client can act on. */
export class WebhookUrlRefusal extends Error {}

export interface WebhookTarget {
  url: URL;
  /** The checked address the delivery connects to: resolved once, so a second lookup cannot change it. */
  address: ResolvedAddress;
}

export interface WebhookAddressRules {
  allowHttp: boolean;
  allowPrivate: boolean;
}

/**
 * Where a webhook may go, checked when a subscription is made or changed and again before every
 * attempt (DNS may answer differently by then): `https` (or `http` when allowed), no credentials in
 * the URL, and a host whose every address is public unless private ones are allowed.
 */
export class WebhookAddressPolicy {
  private readonly refused = { 4: refusedAddresses('ipv4'), 6: refusedAddresses('ipv6') };

  constructor(
    private readonly rules: WebhookAddressRules,
    private readonly resolver: WebhookResolver,
  ) {}

  /** The URL parsed and its address to connect to; throws `WebhookUrlRefusal` saying why not. */
  async target(text: string): Promise<WebhookTarget> {
    const url = this.parse(text);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) as 4 | 6 }] : await this.lookup(host);
    if (!this.rules.allowPrivate) {
      const bad = addresses.find(({ address, family }) =>
        this.refused[family].check(address, family === 6 ? 'ipv6' : 'ipv4'),
      );
      if (bad)
        throw new WebhookUrlRefusal(
          `${host} is a loopback, private, link-local or reserved address (${bad.address}): webhooks go to public addresses.`,
        );
    }
    return { url, address: addresses[0] };
  }

  private parse(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new WebhookUrlRefusal('Not an absolute URL.');
    }
    const schemes = this.rules.allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(url.protocol))
      throw new WebhookUrlRefusal(
        this.rules.allowHttp ? 'Webhooks go to http or https URLs.' : 'Webhooks go to https URLs.',
      );
    if (url.username || url.password)
      throw new WebhookUrlRefusal('A webhook URL carries no user name or password.');
    return url;
  }

  private async lookup(host: string): Promise<ResolvedAddress[]> {
    let found: ResolvedAddress[];
    try {
      found = await this.resolver.resolve(host);
    } catch {
      found = [];
    }
    if (found.length === 0) throw new WebhookUrlRefusal(`${host} does not resolve to an address.`);
    return found;
  }
}
