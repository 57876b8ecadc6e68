import { join } from "node:path";
import { useUpstream } from "../harness.ts";
import { runSharedSemanticSuite } from "./semantic-shared.ts";

const up = useUpstream();
runSharedSemanticSuite("a SQLite file", up, (name) => ({ sqlitePath: join(up.dir, `${name}-shared-cache.db`) }));
