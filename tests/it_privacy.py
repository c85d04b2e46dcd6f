#!/usr/bin/env python3
"""Privacy: nothing but the tracked fields is ever stored.

A batch whose prompts, completions, embeddings, tool calls, API keys, key
hashes, e-mails, IP addresses, error messages, tracebacks, guardrail
output, request metadata and extra headers (event and webhook) all carry
canary strings goes through the real stack. Afterwards a full mysqldump of
the database, and the web server's error log, contain none of them; and
the tracking token itself, registered with `token add`, appears in neither
(only its SHA-256 is kept).
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

FIXTURES = os.path.join(h.SRCDIR, "tests", "fixtures", "litellm")
CANARY = "CANARY7f3e"
TOKEN = "trk_" + CANARY + "_token_value_zz"


def canaries(ev, n):
    """Puts a canary in every part of an event that must not be stored."""
    c = "%s-%d-" % (CANARY, n)
    md = ev.setdefault("metadata", {})
    ev["messages"] = [{"role": "system", "content": c + "system prompt"},
                      {"role": "user", "content": c + "prompt"}]
    ev["response"] = {"choices": [{"message": {
        "content": c + "completion",
        "tool_calls": [{"function": {"arguments": c + "tool args"}}]}}],
        "data": [{"embedding": [0.125, 0.5], "object": c + "embedding"}]}
    ev["model_parameters"] = {"tools": [{"description": c + "tool"}],
                              "user": c + "user", "response_format": c}
    ev["error_str"] = c + "error str sk-" + c + "key"
    ev["guardrail_information"] = [{"guardrail_response": c + "guardrail"}]
    ev["requester_ip_address"] = c + "10.1.2.3"
    ev["end_user"] = c + "end-user"
    ev["user_agent"] = c + "agent/1.0"
    # Of api_base only the host and port are stored: never the user part
    # (a key), the path, the query or the fragment.
    ev["api_base"] = ("https://svc:sk-" + c + "pw@Internal.Example:8443/" +
                      c + "path?api_key=" + c + "q#" + c + "f")
    ev["cache_key"] = c + "cache-key"
    ev["hidden_params"] = {"api_base": "https://" + c + "@hidden.example/",
                           "cache_key": c + "hidden-cache-key"}
    # Stored on purpose (deployment, aliases): no canary in them.
    ev["model_id"] = "deployment-%d" % n
    ev["request_tags"] = ["User-Agent: " + c + "ua", c + "tag"]
    info = ev.setdefault("error_information", {})
    info["error_message"] = c + "provider said"
    info["traceback"] = "File " + c + "/app.py"
    md["user_api_key_hash"] = c + "5b51f4d9ad53deb271"
    md["user_api_key_alias"] = "alias-%d" % n
    md["user_api_key"] = "sk-" + c + "raw-key"
    md["user_api_key_user_email"] = c + "@example.com"
    md["user_api_key_auth_metadata"] = {"secret": c + "auth"}
    md["user_api_key_user_id"] = c + "user-id"
    md["requester_ip_address"] = c + "ip"
    md["user_agent"] = c + "ua"
    md["requester_metadata"] = {"note": c + "metadata",
                                "headers": {"authorization": c + "bearer"}}
    md["spend_logs_metadata"] = {"x": c + "spend"}
    md["mcp_tool_call_metadata"] = {"arguments": c + "mcp"}
    md["vector_store_request_metadata"] = {"query": c + "query"}
    hdrs = md.setdefault("requester_custom_headers", {}) or {}
    hdrs.update({"x-cloudidr-token": TOKEN, "x-secret": c + "header",
                 "x-forwarded-for": c + "xff", "x-stainless-os": c + "os"})
    md["requester_custom_headers"] = hdrs
    return ev


def main():
    stack = h.start_all("lighttpd")
    db, conf = stack.db, stack.conf
    h.create_org(conf, "privacy")
    rc, out, err = h.llmopsctl(conf, "token", "add", "privacy", "-",
                               input=TOKEN + "\n")
    h.is_(rc, 0, "token add from stdin")
    h.ok(TOKEN not in out + err, "token add does not echo the token")

    batch = []
    names = ["01_success_openai_gpt4_nonstream.json",
             "03_failure_anthropic_429.json", "04_success_embedding.json",
             "06_success_anthropic_prompt_caching.json"]
    for n, name in enumerate(names):
        with open(os.path.join(FIXTURES, name)) as f:
            doc = json.load(f)
        ev = doc[0] if isinstance(doc, list) else doc
        batch.append(canaries(copy.deepcopy(ev), n))
    body = json.dumps(batch)
    h.ok(body.count(CANARY) > 100, "the batch carries %d canaries"
         % body.count(CANARY))
    status, _, doc = h.http_json(
        "POST", stack.url("/api/litellm/callback"), body=body, headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + CANARY + "-webhook-secret",
            "Cookie": "session=" + CANARY, "X-Other": CANARY + "-webhook"})
    h.is_(status, 200, "canary batch: 200")
    h.is_((doc or {}).get("accepted"), 4, "canary batch: four events stored")

    # The same through the webhook-level token header.
    ev = canaries(copy.deepcopy(batch[0]), 9)
    ev["id"] = "webhook-token-event"
    del ev["metadata"]["requester_custom_headers"]["x-cloudidr-token"]
    status, _, doc = h.http_json(
        "POST", stack.url("/api/litellm/callback"), body=json.dumps([ev]),
        headers={"Content-Type": "application/json", "X-Cloudidr-Token": TOKEN})
    h.is_((status, (doc or {}).get("accepted")), (200, 1),
          "an event with the token in the webhook header is stored")
    # The spool holds the events before they are loaded: reduced ones only.
    spooled = b""
    for root, _, files in os.walk(conf + ".spool"):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                spooled += f.read()
    h.ok(b"code-review-bot" in spooled, "the spool holds the events "
         "(it is not empty)")
    h.ok(CANARY.encode() not in spooled, "the spool files: no canary")
    h.ok(TOKEN.encode() not in spooled, "the spool files: no tracking token")
    h.is_(h.spool_drain(conf), 0, "llmopsctl spool drain")

    rc, out, err = h.llmopsctl(conf, "token", "list", "privacy")
    h.ok(rc == 0 and TOKEN not in out, "token list never shows the token")
    rc, out, err = h.llmopsctl(conf, "events", "privacy", "--format", "jsonl")
    h.is_(len(out.splitlines()), 5, "five events exported")
    h.ok(CANARY not in out, "llmopsctl events: no canary")

    dump = db.dump()
    h.ok("chatcmpl-BQ3x9Kp2nY7vZ1aTq8LmE4rW6sUd0" in dump and
         "code-review-bot" in dump, "the dump holds the events (it is not empty)")
    h.ok(CANARY.lower() not in dump.lower(), "mysqldump: no canary in any "
         "case (api_host is lower-cased)")
    h.is_(db.sql("SELECT DISTINCT api_host, deployment, key_alias FROM "
                 "usage_events WHERE litellm_id = "
                 "'chatcmpl-BQ3x9Kp2nY7vZ1aTq8LmE4rW6sUd0'"),
          [("internal.example:8443", "deployment-0", "alias-0")],
          "of api_base only its host and port are stored; the deployment "
          "and the key's alias as sent")
    h.ok(CANARY not in dump, "mysqldump of the whole database: no canary",
         diag="\n".join(l[:300] for l in dump.splitlines() if CANARY in l)[:3000])
    h.ok(TOKEN not in dump, "mysqldump: no tracking token, only its hash")
    log = stack.error_log_text()
    h.ok(CANARY not in log, "error log: no canary and no token",
         diag="\n".join(l for l in log.splitlines() if CANARY in l)[:3000])
    stack.stop()
    h.ok(not stack.sanitizer_reports(), "no sanitizer report")
    h.done_testing()


main()
