/** The largest request body the API or a form accepts. */
export const BODY_LIMIT = '16kb';
