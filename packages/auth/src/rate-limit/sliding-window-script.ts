/**
 * Trim, count, add and expire in one script, so concurrent callers (any connection, any process)
 * cannot both see a free slot and both take it. One call carries several walks (the attempts a
 * process gathered in one turn of its event loop), each over its own rules in order, stopping at
 * the first rule that refuses; walks are independent of each other, as separate calls would be.
 *
 * KEYS           every walk's sorted sets of admitted attempts, in order, scored by server time in microseconds
 * ARGV[1]        the number of walks
 * then per walk  "1" to count the attempt where allowed or "0" to only look; a nonce unique to the
 *                attempt (two attempts in the same microsecond are two members); its number of keys n;
 *                then for each of its n keys: limit, window in microseconds, window in milliseconds (the TTL)
 * Returns        per walk, three numbers: the index of the refusing key within the walk (0 when every
 *                key allowed, -1 when Redis failed the walk, e.g. a key holding another type),
 *                remaining of the last key looked at, microseconds until a slot of the refusing key
 *                frees (0 when allowed)
 */
export const SLIDING_WINDOW_SCRIPT = `
-- The server's clock, not the callers': processes on different hosts must agree on the window.
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
-- Scores are passed as "%.0f" strings: Lua's default number formatting would round 16-digit microseconds.
local score = string.format("%.0f", now)
local replies = {}
local arg = 2
local key = 1

-- One walk over its keys (KEYS[first] on, limits and windows from ARGV[arg] on).
local function walk_keys(count, member, keys, first, arg)
  local refused, remaining, wait = 0, 0, 0
  for i = 1, keys do
    local k = KEYS[first + i - 1]
    local limit = tonumber(ARGV[arg])
    local window = tonumber(ARGV[arg + 1])
    redis.call("ZREMRANGEBYSCORE", k, "-inf", string.format("%.0f", now - window))
    local admitted = redis.call("ZCARD", k)
    if admitted >= limit then
      -- If the limit was lowered, more than one attempt must expire before a slot frees.
      local blocking = redis.call("ZRANGE", k, admitted - limit, admitted - limit, "WITHSCORES")
      -- The walk's later keys are neither counted nor looked at.
      return i, 0, tonumber(blocking[2]) + window - now
    elseif count then
      redis.call("ZADD", k, score, member)
      redis.call("PEXPIRE", k, ARGV[arg + 2])
      remaining = limit - admitted - 1
    else
      remaining = limit - admitted
    end
    arg = arg + 3
  end
  return refused, remaining, wait
end

for walk = 1, tonumber(ARGV[1]) do
  local count = ARGV[arg] == "1"
  local member = time[1] .. "." .. time[2] .. ":" .. ARGV[arg + 1]
  local keys = tonumber(ARGV[arg + 2])
  -- A walk that fails (a key holding another type) answers -1 alone; the others go on.
  local ok, refused, remaining, wait = pcall(walk_keys, count, member, keys, key, arg + 3)
  if not ok then
    refused, remaining, wait = -1, 0, 0
  end
  replies[#replies + 1] = refused
  replies[#replies + 1] = remaining
  replies[#replies + 1] = wait
  arg = arg + 3 + 3 * keys
  key = key + keys
end
return replies
`;
