/** The diff formats, apart from their renderers so the CLI can list them without loading those. */
export const DIFF_FORMATS = ['text', 'md', 'json', 'html'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];
