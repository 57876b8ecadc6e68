/**
 * Folds new usage rows into the per-prompt days: the rows are added up per day and prompt in one
 * statement, then each sum is added to its day (a new prompt getting its id first), the day coming
 * back as it now stands so the in-memory prompt index can take it as is. Each group costs two
 * lookups by key; nothing is joined or rewritten across the tables.
 * @module
 */
import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import { ADD_PROMPT_DAY_SQL, NEW_PROMPT_SQL, PROMPT_GROUPS_SQL, PROMPT_ID_SQL, SUM_NAMES } from "./rollup-schema.ts";

/** A prompt-day as it stands after a fold, with its prompt's key. */
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
  const groups = db.prepare(PROMPT_GROUPS_SQL);
  const findPrompt = db.prepare(PROMPT_ID_SQL);
  const newPrompt = db.prepare(NEW_PROMPT_SQL);
  const addDay = db.prepare(ADD_PROMPT_DAY_SQL);
  return (after, upTo, changed) => {
    for (let from = after; from < upTo; from += SLICE) {
      for (const group of groups.all(from, Math.min(from + SLICE, upTo))) {
        const { prompt, provider, model, prompt_type: type, namespace } = group as Record<string, SqlValue>;
        const id = (findPrompt.get(prompt!, model!, provider!, type!, namespace!) ?? newPrompt.get(prompt!, provider!, model!, type!, namespace!))!.id!;
        const day = addDay.get(group.period!, id, ...SUM_NAMES.map((name) => group[name]!), group.last_seen!)!;
        changed?.({ key: { id, prompt: prompt!, provider: provider!, model: model!, prompt_type: type!, namespace: namespace! }, day });
      }
    }
  };
}
