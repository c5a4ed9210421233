/** The provider's id: `coffer backup gpo`, the `provider` of each integrity manifest it writes. */
export const PROVIDER_ID = 'gpo';
