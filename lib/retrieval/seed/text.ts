const SNIPPET_CHARS = 400;

export const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
export const snippet = (text: string, chars = SNIPPET_CHARS) => collapse(text).slice(0, chars).trim();
