import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { AppModule } from '../../src/app.module.js';
import { Configuration } from '../../src/config/configuration.js';
import { databaseConfig } from '../../src/config/database.config.js';
import { InvalidConfigurationError, type Environment } from '../../src/config/environment.js';
import { tracingSettings } from '../../src/config/tracing.config.js';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };
type Container = { name: string; env?: any[]; envFrom?: any[] };

/** An overlay as `kubectl kustomize` builds it (the cluster's own kustomize; no cluster needed). */
function build(overlay: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', `deploy/kubernetes/overlays/${overlay}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return parseAllDocuments(text).map((document) => document.toJS() as K8sObject);
}

/** What a value of each secret looks like, for loading the configuration as a pod would. */
const SECRET_SAMPLES: Record<string, () => string> = {
  DATABASE_URL: () => 'postgres://gatehouse:secret@pgbouncer:6432/gatehouse',
  DATABASE_REPLICA_URLS: () => 'postgres://gatehouse:secret@replica-1:5432/gatehouse',
  DATABASE_DIRECT_URL: () => 'postgres://gatehouse:secret@primary:5432/gatehouse',
  AUTH_JWT_SECRET: () => randomBytes(32).toString('base64url'),
  AUTH_MFA_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
  AUTH_KEY_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
  REDIS_URL: () => 'redis://redis:6379',
  SMTP_URL: () => 'smtp://mailer:secret@smtp:587',
  METRICS_TOKEN: () => randomBytes(24).toString('base64url'),
};

/** The environment a container gets: its ConfigMaps' data, and a sample for each Secret key it names. */
function environmentOf(objects: K8sObject[], container: Container, { optional = true } = {}) {
  const env: Environment = {};
  const secrets: string[] = [];
  for (const source of container.envFrom ?? []) {
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef?.name);
    if (!map) throw new Error(`${container.name}: envFrom names no ConfigMap of the overlay`);
    Object.assign(env, map.data);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (!ref) {
      env[variable.name] = variable.value;
      continue;
    }
    if (ref.optional && !optional) continue;
    const sample = SECRET_SAMPLES[ref.key];
    if (!sample) throw new Error(`no sample value for the secret ${ref.key}: add one to this test`);
    env[variable.name] = sample();
    secrets.push(variable.name);
  }
  return { env, secrets };
}

function containerOf(objects: K8sObject[], kind: string, name: string): Container {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`the overlay has no ${kind} ${name}`);
  return object.spec.template.spec.containers[0];
}

/** The variables the configuration still names as missing or wrong, given `env`. */
function problemsGiven(namespaces: Parameters<typeof Configuration.load>[0], env: Environment): string[] {
  try {
    Configuration.load(namespaces, env);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return error.problems.map((problem) => problem.split('=')[0]);
  }
}

const API_NAMESPACES = AppModule.namespaces;

describe('Kubernetes manifests (kustomize, validated offline)', () => {
  const overlays = { dev: build('dev'), production: build('production') };

  it.each(Object.keys(overlays))('builds %s into valid Kubernetes objects', async (overlay) => {
    const objects = overlays[overlay as keyof typeof overlays];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).toSorted()).toEqual(
      [
        'ConfigMap/gatehouse',
        'Deployment/gatehouse-api',
        'Deployment/gatehouse-worker',
        'HorizontalPodAutoscaler/gatehouse-api',
        'Ingress/gatehouse',
        'Job/gatehouse-migrate',
        'NetworkPolicy/gatehouse-api-ingress',
        'NetworkPolicy/gatehouse-egress',
        'PodDisruptionBudget/gatehouse-api',
        'Service/gatehouse-api',
        'ServiceAccount/gatehouse',
      ].toSorted(),
    );
    for (const object of objects) {
      // kubernetes-models: the Kubernetes OpenAPI schemas as validators (types, enums, required).
      const models = await import(`kubernetes-models/${object.apiVersion}`);
      const Model = models[object.kind];
      expect(Model).toBeDefined();
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  it('refuses an object the schemas refuse (the validation can fail)', async () => {
    const api = structuredClone(
      overlays.production.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gatehouse-api')!,
    );
    api.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    const { Deployment } = await import('kubernetes-models/apps/v1');
    expect(() => new Deployment(api).validate()).toThrow(/imagePullPolicy/);
  });

  it('gives the API, the worker and the migration Job every variable production requires', () => {
    const objects = overlays.production;
    const configMap = objects.find((o) => o.kind === 'ConfigMap')!.data as Environment;
    // What production still requires once the ConfigMap is read: the Secret must give each.
    const required = problemsGiven(API_NAMESPACES, configMap);
    expect(required).toEqual(expect.arrayContaining(['DATABASE_URL', 'AUTH_JWT_SECRET']));
    for (const name of ['gatehouse-api', 'gatehouse-worker']) {
      // Without the optional Secret keys, as a Secret holding only the required ones would give.
      const { env, secrets } = environmentOf(objects, containerOf(objects, 'Deployment', name), {
        optional: false,
      });
      expect(required.filter((variable) => !secrets.includes(variable))).toEqual([]);
      expect(problemsGiven(API_NAMESPACES, env)).toEqual([]);
      expect(() => tracingSettings(env)).not.toThrow();
      expect(Configuration.load(API_NAMESPACES, env).get(databaseConfig).migrateAtBoot).toBe(false);
    }
    const job = environmentOf(objects, containerOf(objects, 'Job', 'gatehouse-migrate'), { optional: false });
    expect(problemsGiven([databaseConfig], job.env)).toEqual([]);
  });

  it('provides every variable of docs/configuration.md’s table, secrets by reference only', () => {
    const page = readFileSync('docs/configuration.md', 'utf8');
    const table = page.slice(page.indexOf('## Configuration'), page.indexOf('## Scripts'));
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)`(?: \/ `([A-Z0-9_]+)`)?/gm)].flatMap(
      ([, name, other]) => (other ? [name, other] : [name]),
    );
    expect(documented.length).toBeGreaterThan(50);
    const objects = overlays.production;
    const { env, secrets } = environmentOf(objects, containerOf(objects, 'Deployment', 'gatehouse-api'));
    // Development's embedded database, which production refuses.
    const developmentOnly = ['DATABASE_EMBEDDED_DIR', 'DATABASE_EMBEDDED_PORT'];
    expect(documented.filter((name) => !(name in env) && !developmentOnly.includes(name))).toEqual([]);
    expect(secrets.toSorted()).toEqual(Object.keys(SECRET_SAMPLES).toSorted());
    const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(Object.keys(configMap.data).filter((name) => secrets.includes(name))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});
