/**
 * What a file dialog's pick handler answers: null (done, close), a message (stay open, show it), or a
 * question the dialog asks before `proceed` runs (e.g. replace an existing file). Asked in the dialog,
 * not with the browser's confirm(), which blocks the page and cannot be styled or focused.
 */
export type PickOutcome = string | null | { confirm: string; proceed: () => Promise<PickOutcome> }
