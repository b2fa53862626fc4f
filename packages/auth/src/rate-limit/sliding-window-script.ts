/**
 * Trim, count, add and expire in one script, so concurrent callers (any connection, any process)
 * cannot both see a free slot and both take it. Several windows (a request's rules) are walked in
 * one call, in order, stopping at the first that refuses: one round trip for all of them.
 *
 * KEYS[i]        sorted set of admitted attempts of rule i, scored by server time in microseconds
 * ARGV[1]        "1" to count the attempt where allowed, "0" to only look
 * ARGV[2]        a nonce unique to the attempt, so two attempts in the same microsecond are two members
 * ARGV[3i..3i+2] for KEYS[i]: limit, window in microseconds, window in milliseconds (the key's TTL)
 * Returns        { index of the refusing key (0 when every key allowed), remaining of the last key
 *                  looked at, microseconds until a slot of the refusing key frees (0 when allowed) }
 */
export const SLIDING_WINDOW_SCRIPT = `
-- The server's clock, not the callers': processes on different hosts must agree on the window.
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local member = time[1] .. "." .. time[2] .. ":" .. ARGV[2]
local remaining = 0

for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[3 * i + 1])
  -- Scores are passed as "%.0f" strings: Lua's default number formatting would round 16-digit microseconds.
  redis.call("ZREMRANGEBYSCORE", key, "-inf", string.format("%.0f", now - window))
  local count = redis.call("ZCARD", key)
  if count >= limit then
    -- If the limit was lowered, more than one attempt must expire before a slot frees.
    local blocking = redis.call("ZRANGE", key, count - limit, count - limit, "WITHSCORES")
    return { i, 0, tonumber(blocking[2]) + window - now }
  end
  if ARGV[1] == "1" then
    redis.call("ZADD", key, string.format("%.0f", now), member)
    redis.call("PEXPIRE", key, ARGV[3 * i + 2])
    remaining = limit - count - 1
  else
    remaining = limit - count
  end
end
return { 0, remaining, 0 }
`;
