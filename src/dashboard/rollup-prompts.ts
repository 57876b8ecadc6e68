/**
 * Folds new usage rows into the per-prompt days in two statements: the prompts not seen before get
 * their ids, then the rows are added up per day and prompt and added to their days, which come back
 * as they now stand so the in-memory prompt index can take them as they are. Everything happens in
 * SQLite: a fold of a thousand rows makes two calls into it, not two per prompt.
 * @module
 */
import type { Database, Row } from "../sqlite/database.ts";
import { ADD_PROMPT_DAYS_RETURNING_SQL, ADD_PROMPT_DAYS_SQL, NEW_PROMPTS_SQL } from "./rollup-schema.ts";

/** A prompt-day as it stands after a fold, with its prompt's key (the id alone for a prompt known before the fold). */
export interface FoldedDay {
  key: Row;
  day: Row;
}

/** Usage rows read per statement, so folding a million rows never holds them all in memory at once. */
const SLICE = 50_000;

/**
 * Returns the folder: it adds the rows `after < id ≤ upTo` to the per-prompt days and, when
 * `changed` is given, passes it each day it changed. Run it inside the caller's transaction.
 */
export function createPromptFolder(db: Database): (after: number, upTo: number, changed?: (folded: FoldedDay) => void) => void {
  const newPrompts = db.prepare(NEW_PROMPTS_SQL);
  const addDays = db.prepare(ADD_PROMPT_DAYS_SQL);
  const addDaysReturning = db.prepare(ADD_PROMPT_DAYS_RETURNING_SQL);
  return (after, upTo, changed) => {
    for (let from = after; from < upTo; from += SLICE) {
      const to = Math.min(from + SLICE, upTo);
      const added = new Map(newPrompts.all(from, to).map((key) => [Number(key.id), key]));
      if (!changed) {
        addDays.run(from, to);
        continue;
      }
      for (const day of addDaysReturning.all(from, to)) {
        const id = Number(day.prompt_id);
        changed({ key: added.get(id) ?? { id }, day });
      }
    }
  };
}
