-- tools/bench.lua: the wrk script of tools/bench (POST bodies with ids
-- unique to each request).
--
--   wrk ... -s tools/bench.lua URL -- TEMPLATES TAG [TOKEN]
--
-- TEMPLATES holds one body per line (JSON as LiteLLM writes it, so no raw
-- newlines) in which every "@@ID@@" stands for an id. Each request takes
-- the next template and puts in place of its N-th "@@ID@@" the string
-- TAG-THREAD-REQUEST-N, so no two requests of a run, nor of two runs with
-- different TAGs, share an event id and the receiver's dedupe never
-- short-cuts the work. TOKEN, when given, is sent as X-Cloudidr-Token
-- (the webhook-level header of callback_settings). done() prints one line
-- "BENCH {json}" with wrk's counts and latency percentiles (microseconds),
-- which tools/bench.py reads.

local threads = {}
local nthreads = 0

function setup(thread)
	nthreads = nthreads + 1
	thread:set("thread_no", nthreads)
	table.insert(threads, thread)
end

local templates = {}
local prefix = ""
local n = 0
local parts = {}
sent_bytes = 0
sent_requests = 0

function init(args)
	local path, tag, token = args[1], args[2], args[3]
	local f = assert(io.open(path, "rb"))
	for line in f:lines() do
		if #line > 0 then
			local pieces, pos = {}, 1
			while true do
				local s, e = string.find(line, "@@ID@@", pos, true)
				if not s then break end
				pieces[#pieces + 1] = string.sub(line, pos, s - 1)
				pos = e + 1
			end
			pieces[#pieces + 1] = string.sub(line, pos)
			templates[#templates + 1] = pieces
		end
	end
	f:close()
	assert(#templates > 0, "no templates in " .. path)
	prefix = tag .. "-" .. thread_no .. "-"
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	if token ~= nil and #token > 0 then
		wrk.headers["X-Cloudidr-Token"] = token
	end
end

function request()
	n = n + 1
	local t = templates[(n - 1) % #templates + 1]
	local id = prefix .. n .. "-"
	local k = 1
	for i = 1, #t - 1 do
		parts[k] = t[i]
		parts[k + 1] = id .. i
		k = k + 2
	end
	parts[k] = t[#t]
	local body = table.concat(parts, "", 1, k)
	sent_bytes = sent_bytes + #body
	sent_requests = sent_requests + 1
	return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
	local bytes, reqs = 0, 0
	for _, t in ipairs(threads) do
		bytes = bytes + (t:get("sent_bytes") or 0)
		reqs = reqs + (t:get("sent_requests") or 0)
	end
	local e = summary.errors
	io.write(string.format('BENCH {"duration_us":%d,"requests":%d,' ..
	    '"bytes_read":%d,"sent_requests":%d,"sent_bytes":%d,' ..
	    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,' ..
	    '"timeout":%d},"latency_us":{"min":%d,"mean":%.1f,"p50":%d,' ..
	    '"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
	    summary.duration, summary.requests, summary.bytes, reqs, bytes,
	    e.connect, e.read, e.write, e.status, e.timeout,
	    latency.min, latency.mean, latency:percentile(50),
	    latency:percentile(90), latency:percentile(99),
	    latency:percentile(99.9), latency.max))
end
