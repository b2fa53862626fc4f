/**
 * Trim, count, add and expire in one script, so concurrent callers (any connection, any process)
 * cannot both see a free slot and both take it.
 *
 * KEYS[1]  sorted set of admitted attempts, scored by server time in microseconds
 * ARGV[1]  limit
 * ARGV[2]  window in microseconds
 * ARGV[3]  "1" to count the attempt when allowed, "0" to only look
 * ARGV[4]  a nonce unique to the attempt, so two attempts in the same microsecond are two members
 * ARGV[5]  window in milliseconds (the key's TTL)
 * Returns  { allowed (1/0), remaining, microseconds until a slot frees (0 when allowed) }
 */
export const SLIDING_WINDOW_SCRIPT = `
-- The server's clock, not the callers': processes on different hosts must agree on the window.
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])

-- Scores are passed as "%.0f" strings: Lua's default number formatting would round 16-digit microseconds.
redis.call("ZREMRANGEBYSCORE", key, "-inf", string.format("%.0f", now - window))
local count = redis.call("ZCARD", key)

if count < limit then
  if ARGV[3] == "1" then
    redis.call("ZADD", key, string.format("%.0f", now), time[1] .. "." .. time[2] .. ":" .. ARGV[4])
    redis.call("PEXPIRE", key, ARGV[5])
    return { 1, limit - count - 1, 0 }
  end
  return { 1, limit - count, 0 }
end

-- If the limit was lowered, more than one attempt must expire before a slot frees.
local blocking = redis.call("ZRANGE", key, count - limit, count - limit, "WITHSCORES")
return { 0, 0, tonumber(blocking[2]) + window - now }
`;
