import { useUpstream } from "../harness.ts";
import { useRedisServer } from "../redis-server.ts";
import { runSharedSemanticSuite } from "./semantic-shared.ts";

const up = useUpstream();
const redis = useRedisServer();
runSharedSemanticSuite("a Redis server", up, (name) => ({ storage: "redis", redisUrl: redis.server.url, redisKeyPrefix: `semantic-${name}:` }));
