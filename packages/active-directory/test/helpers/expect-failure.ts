import { expect } from 'vitest';
import { CofferError } from '@coffer/core';

/** The CofferError a promise rejects with; the test fails when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CofferError);
    return error as CofferError;
  }
  throw new Error('expected a failure');
}
