/**
 * A target repository's own templates: files under `.testloom/templates/` on its default branch
 * replace the built-in template of the same name (e.g. `.testloom/templates/jest/helpers.ts.hbs`).
 * They are copied to a private folder for the renderer, which reads templates from disk.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RepoHost } from '../repohost/types';
import { createTemplateRenderer, TEMPLATE_EXTENSION, type TemplateRenderer } from './renderer';

const REPOSITORY_TEMPLATES_DIR = '.testloom/templates';
const MAX_TEMPLATES = 100;
const MAX_TEMPLATE_BYTES = 256 * 1024;

export interface RepositoryTemplates {
  renderer: TemplateRenderer;
  /** Override folder for code that takes a directory (the spec-suite generator); undefined without overrides. */
  overrideDir?: string;
  /** Template names the repository overrides, e.g. `jest/helpers.ts`. */
  overridden: string[];
  dispose(): Promise<void>;
}

/** A template in the repository that cannot be used; retrying cannot fix it, the repository must. */
export class InvalidRepositoryTemplateError extends Error {
  override name = 'InvalidRepositoryTemplateError';
}

export async function repositoryTemplates(repoHost: RepoHost, repository: string): Promise<RepositoryTemplates> {
  const files = (await repoHost.readFiles(repository, REPOSITORY_TEMPLATES_DIR)).filter((f) => f.path.endsWith(TEMPLATE_EXTENSION));
  if (!files.length) return { renderer: createTemplateRenderer(), overridden: [], dispose: () => Promise.resolve() };
  if (files.length > MAX_TEMPLATES) {
    throw new InvalidRepositoryTemplateError(`${repository}: ${REPOSITORY_TEMPLATES_DIR} holds ${files.length} templates, more than ${MAX_TEMPLATES}`);
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-templates-'));
  const overridden: string[] = [];
  try {
    for (const file of files) {
      const name = path.posix.relative(REPOSITORY_TEMPLATES_DIR, file.path);
      if (Buffer.byteLength(file.content) > MAX_TEMPLATE_BYTES) {
        throw new InvalidRepositoryTemplateError(`${repository}: ${file.path} is larger than ${MAX_TEMPLATE_BYTES / 1024} KiB`);
      }
      const target = path.join(dir, ...name.split('/'));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
      overridden.push(name.slice(0, -TEMPLATE_EXTENSION.length));
    }
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const renderer = createTemplateRenderer({ overrideDir: dir });
  const templates: RepositoryTemplates = {
    overrideDir: dir,
    overridden,
    renderer: {
      resolve: (name) => renderer.resolve(name),
      render(name, context) {
        try {
          return renderer.render(name, context);
        } catch (err) {
          throw blameRepositoryTemplate(err, templates, repository, name);
        }
      },
    },
    dispose: () => fs.rm(dir, { recursive: true, force: true }),
  };
  return templates;
}

/**
 * An error from rendering with a repository's templates, told apart: a broken override (it names
 * the file as the repository has it, not the private copy) is the repository's to fix.
 */
export function blameRepositoryTemplate(err: unknown, templates: RepositoryTemplates, repository: string, name?: string): unknown {
  const { overrideDir } = templates;
  const message = err instanceof Error ? err.message : String(err);
  if (!overrideDir) return err;
  if (message.includes(overrideDir)) {
    return new InvalidRepositoryTemplateError(`${repository}: ${message.split(overrideDir).join(REPOSITORY_TEMPLATES_DIR)}`);
  }
  if (name && templates.overridden.includes(name)) {
    return new InvalidRepositoryTemplateError(`${repository}: template ${REPOSITORY_TEMPLATES_DIR}/${name}${TEMPLATE_EXTENSION}: ${message}`);
  }
  return err;
}
