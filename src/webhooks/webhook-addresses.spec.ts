import {
  WebhookAddressPolicy,
  WebhookResolver,
  WebhookUrlRefusal,
  type ResolvedAddress,
} from './webhook-addresses.js';

/** A resolver that answers what the test says, as a hostile or confused DNS would. */
class StubResolver extends WebhookResolver {
  constructor(private readonly answers: Record<string, ResolvedAddress[]>) {
    super();
  }
  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const answer = this.answers[hostname];
    if (!answer) throw new Error('ENOTFOUND');
    return answer;
  }
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });
const resolver = new StubResolver({
  'hooks.example.com': [v4('93.184.215.14')],
  'internal.example.com': [v4('10.1.2.3')],
  'metadata.example.com': [v4('169.254.169.254')],
  'mixed.example.com': [v4('93.184.215.14'), v4('192.168.1.10')],
  'six.example.com': [v6('2606:2800:21f:cb07:6820:80da:af6b:8b2c')],
  'six-local.example.com': [v6('fe80::1')],
  'nothing.example.com': [],
});
const strict = new WebhookAddressPolicy({ allowHttp: false, allowPrivate: false }, resolver);

async function refusal(policy: WebhookAddressPolicy, url: string): Promise<string> {
  const error = await policy.target(url).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookUrlRefusal);
  return (error as Error).message;
}

describe('WebhookAddressPolicy', () => {
  it('takes an https URL whose host resolves to public addresses, and pins the address', async () => {
    const target = await strict.target('https://hooks.example.com:8443/in?x=1');
    expect(target.url.href).toBe('https://hooks.example.com:8443/in?x=1');
    expect(target.address).toEqual(v4('93.184.215.14'));
    expect((await strict.target('https://six.example.com/')).address.family).toBe(6);
    expect((await strict.target('https://93.184.215.14/')).address).toEqual(v4('93.184.215.14'));
    expect((await strict.target('https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/')).address).toEqual(
      v6('2606:2800:21f:cb07:6820:80da:af6b:8b2c'),
    );
  });

  it.each([
    ['http://hooks.example.com/', 'https'],
    ['ftp://hooks.example.com/', 'https'],
    ['not a url', 'absolute'],
    ['https://user:pass@hooks.example.com/', 'user name'],
    ['https://user@hooks.example.com/', 'user name'],
    ['https://:pass@hooks.example.com/', 'user name'],
    ['https://nothing.example.com/', 'does not resolve'],
    ['https://unknown.example.com/', 'does not resolve'],
  ])('refuses %s', async (url, words) => {
    expect(await refusal(strict, url)).toContain(words);
  });

  it.each([
    'https://127.0.0.1/',
    'https://127.1.2.3:8080/',
    'https://localhost.localdomain@10.0.0.1/',
    'https://10.0.0.1/',
    'https://172.16.5.4/',
    'https://192.168.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://[::1]/',
    'https://[::]/',
    'https://[fe80::1]/',
    'https://[fd00:ec2::254]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[64:ff9b::a00:1]/',
    'https://[2002:a00:1::]/',
    'https://224.0.0.1/',
    'https://2130706433/',
    'https://0x7f.0.0.1/',
    'https://internal.example.com/',
    'https://metadata.example.com/',
    'https://mixed.example.com/',
    'https://six-local.example.com/',
  ])('refuses %s, a private, loopback, link-local or reserved address', async (url) => {
    const message = await refusal(strict, url);
    expect(message).toMatch(/public addresses|user name/);
  });

  it('lets development use http and private addresses when told to', async () => {
    const open = new WebhookAddressPolicy({ allowHttp: true, allowPrivate: true }, resolver);
    expect((await open.target('http://127.0.0.1:9999/hook')).address).toEqual(v4('127.0.0.1'));
    expect((await open.target('https://internal.example.com/')).address).toEqual(v4('10.1.2.3'));
    expect(await refusal(open, 'ftp://hooks.example.com/')).toContain('http or https');
  });
});

describe('WebhookResolver', () => {
  // Addresses resolve to themselves without asking a DNS server: no traffic leaves this host.
  it('answers every address of a name, with its family', async () => {
    expect(await new WebhookResolver().resolve('127.0.0.1')).toEqual([v4('127.0.0.1')]);
    expect(await new WebhookResolver().resolve('::1')).toEqual([v6('::1')]);
  });
});
