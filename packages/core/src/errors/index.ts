export * from './hresult.js';
export * from './coffer-error.js';
