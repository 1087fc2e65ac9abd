import fs from 'node:fs';
import path from 'node:path';
import type Handlebars from 'handlebars';
import { registerTemplateHelpers } from './helpers';

/** The templates shipped with testloom. */
export const BUILTIN_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');
export const TEMPLATE_EXTENSION = '.hbs';

let environment: typeof Handlebars | undefined;

/** Handlebars (~0.7 MB of code) is loaded by the first template compiled, not by every process that might render one. */
function handlebars(): typeof Handlebars {
  if (!environment) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    environment = (require('handlebars') as typeof Handlebars).create();
    registerTemplateHelpers(environment);
  }
  return environment;
}

/** Compiled templates by source text: identical templates compile once per process, edited ones recompile. */
const compiledBySource = new Map<string, Handlebars.TemplateDelegate>();

export interface TemplateRendererOptions {
  /** Searched before the built-in templates, e.g. a target repository's `.testloom/templates/`. */
  overrideDir?: string;
}

export interface TemplateRenderer {
  /** Renders `name` (e.g. `jest/helpers.ts` for `jest/helpers.ts.hbs`) with `context`. */
  render(name: string, context: object): string;
  /** The file a template name resolves to (override first). */
  resolve(name: string): string;
}

export class TemplateNotFoundError extends Error {
  constructor(name: string, searched: string[]) {
    super(`template "${name}" not found in ${searched.join(', ')}`);
    this.name = 'TemplateNotFoundError';
  }
}

function checkName(name: string): void {
  const segments = name.split('/');
  if (!name || name.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`invalid template name "${name}": use a relative path like "jest/helpers.ts"`);
  }
}

function compile(source: string, file: string): Handlebars.TemplateDelegate {
  let template = compiledBySource.get(source);
  if (!template) {
    try {
      // compile() is lazy; parsing now makes syntax errors name the file.
      handlebars().parse(source);
      template = handlebars().compile(source, { noEscape: true });
    } catch (err) {
      throw new Error(`template ${file}: ${(err as Error).message}`, { cause: err });
    }
    compiledBySource.set(source, template);
  }
  return template;
}

export function createTemplateRenderer(options: TemplateRendererOptions = {}): TemplateRenderer {
  const directories = [options.overrideDir, BUILTIN_TEMPLATES_DIR].filter((dir): dir is string => Boolean(dir));
  const templates = new Map<string, Handlebars.TemplateDelegate>();

  const resolve = (name: string): string => {
    checkName(name);
    const file = directories.map((dir) => path.join(dir, `${name}${TEMPLATE_EXTENSION}`)).find((candidate) => fs.existsSync(candidate));
    if (!file) throw new TemplateNotFoundError(`${name}${TEMPLATE_EXTENSION}`, directories);
    return file;
  };

  return {
    resolve,
    render(name, context) {
      let template = templates.get(name);
      if (!template) {
        const file = resolve(name);
        template = compile(fs.readFileSync(file, 'utf8'), file);
        templates.set(name, template);
      }
      return template(context);
    },
  };
}
