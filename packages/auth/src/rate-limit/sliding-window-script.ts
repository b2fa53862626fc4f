/**
 * Trim, count, add and expire in one script, so concurrent callers (any connection, any process)
 * cannot both see a free slot and both take it. One call walks one caller's rules in order,
 * stopping at the first rule that refuses.
 *
 * KEYS     the sorted sets of admitted attempts, one per rule, scored by server time in microseconds
 * ARGV[1]  "1" to count the attempt where allowed, "0" to only look
 * ARGV[2]  a nonce unique to the attempt (two attempts in the same microsecond are two members)
 * then     for each key: limit, window in microseconds, window in milliseconds (the TTL)
 * Returns  three numbers: the 1-based index of the refusing key (0 when every key allowed),
 *          remaining of the last key looked at, microseconds until a slot of the refusing key
 *          frees (0 when allowed)
 */
export const SLIDING_WINDOW_SCRIPT = `
-- The server's clock, not the callers': processes on different hosts must agree on the window.
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
-- Scores are passed as "%.0f" strings: Lua's default number formatting would round 16-digit microseconds.
local score = string.format("%.0f", now)
local count = ARGV[1] == "1"
local member = time[1] .. "." .. time[2] .. ":" .. ARGV[2]
local remaining = 0
for i = 1, #KEYS do
  local k = KEYS[i]
  local arg = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[arg])
  local window = tonumber(ARGV[arg + 1])
  redis.call("ZREMRANGEBYSCORE", k, "-inf", string.format("%.0f", now - window))
  local admitted = redis.call("ZCARD", k)
  if admitted >= limit then
    -- If the limit was lowered, more than one attempt must expire before a slot frees.
    local blocking = redis.call("ZRANGE", k, admitted - limit, admitted - limit, "WITHSCORES")
    -- The later keys are neither counted nor looked at.
    return { i, 0, tonumber(blocking[2]) + window - now }
  elseif count then
    redis.call("ZADD", k, score, member)
    redis.call("PEXPIRE", k, ARGV[arg + 2])
    remaining = limit - admitted - 1
  else
    remaining = limit - admitted
  end
end
return { 0, remaining, 0 }
`;
