import fs from 'node:fs';
import type { EnvValues } from './env';
import { ConfigError } from './errors';

export type GitHubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: string };

export interface GitHubSettings {
  webhookSecret?: string;
  /** Days a handled delivery's record is kept (0: all kept). */
  webhookRetentionDays: number;
  triggerLabel: string;
  /** REST API base URL: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server. */
  apiUrl: string;
  /** How the GitHub repository host authenticates; absent when neither a token nor an app is configured. */
  auth?: GitHubAuth;
}

/** Environment values often carry a PEM with its newlines escaped as `\n`. */
function pemText(raw: string, name: string): string {
  const text = raw.includes('\\n') && !raw.includes('\n') ? raw.replace(/\\n/g, '\n') : raw;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    // Never echo the value: it is a secret.
    throw new ConfigError(`${name}: must be a PEM private key (-----BEGIN RSA PRIVATE KEY----- …), as downloaded from the GitHub App's settings`);
  }
  return text;
}

function appPrivateKey(values: EnvValues): string | undefined {
  if (values.githubAppPrivateKey && values.githubAppPrivateKeyPath) {
    throw new ConfigError('GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH are both set: set only one');
  }
  if (values.githubAppPrivateKey) return pemText(values.githubAppPrivateKey, 'GITHUB_APP_PRIVATE_KEY');
  if (!values.githubAppPrivateKeyPath) return undefined;
  let raw: string;
  try {
    raw = fs.readFileSync(values.githubAppPrivateKeyPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`GITHUB_APP_PRIVATE_KEY_PATH=${values.githubAppPrivateKeyPath}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return pemText(raw, `GITHUB_APP_PRIVATE_KEY_PATH=${values.githubAppPrivateKeyPath}`);
}

/** The GitHub credential, if any: a token, or a complete app installation (a partial one is an error naming what is missing). */
function githubAuth(values: EnvValues): GitHubAuth | undefined {
  const privateKey = appPrivateKey(values);
  const app = { GITHUB_APP_ID: values.githubAppId, 'GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_PATH)': privateKey, GITHUB_APP_INSTALLATION_ID: values.githubAppInstallationId };
  const given = Object.entries(app).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length && values.githubToken) {
    throw new ConfigError('GITHUB_TOKEN and GitHub App settings are both set: use either a token or the app (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID)');
  }
  if (given.length && given.length < 3) {
    const missing = Object.keys(app).filter((k) => !given.includes(k));
    throw new ConfigError(`GitHub App settings are incomplete: ${given.join(', ')} set but ${missing.join(' and ')} missing`);
  }
  if (given.length === 3) return { kind: 'app', appId: values.githubAppId!, privateKey: privateKey!, installationId: values.githubAppInstallationId! };
  if (values.githubToken) return { kind: 'token', token: values.githubToken };
  return undefined;
}

export function githubSettings(values: EnvValues): { github: GitHubSettings; repoHost: 'local' | 'github' } {
  const auth = githubAuth(values);
  const repoHost = values.repoHost ?? (auth ? 'github' : 'local');
  if (repoHost === 'github' && !auth) {
    throw new ConfigError('TESTLOOM_REPO_HOST=github needs a credential: set GITHUB_TOKEN, or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID');
  }
  return {
    github: { webhookSecret: values.webhookSecret, webhookRetentionDays: values.webhookRetentionDays, triggerLabel: values.triggerLabel, apiUrl: values.githubApiUrl.replace(/\/+$/, ''), ...(auth ? { auth } : {}) },
    repoHost,
  };
}
