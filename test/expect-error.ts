import { expect } from "bun:test";
import { EcoAIConfigError } from "../src/errors.ts";

/** Runs `fn`, expects an `EcoAIConfigError`, and returns it. */
export function configError(fn: () => unknown): EcoAIConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EcoAIConfigError);
  return caught as EcoAIConfigError;
}
