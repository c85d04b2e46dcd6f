#!/usr/bin/env python3
"""Sessions, CSRF, the login throttle, one-time passwords and API keys,
through lighttpd, Apache mod_fcgid and Apache mod_proxy_fcgi (one MariaDB,
a session secret per stack).

- The session cookie: HttpOnly, SameSite=Strict, Path=/, a Max-Age from
  web.session_hours, the format of lib/session.h; with secure_cookies =
  "always" a Secure "__Host-" cookie (and the login form's cookie obeys the
  prefix's rules too). The server keeps the id's SHA-256 only.
- Refused cookies: expired (signed with the stack's secret), expired in the
  database only, signed with another secret or by another stack, each part
  changed by one character, an unknown id signed with the right secret.
- Logout ends the session: the old cookie no longer works.
- CSRF: POSTs without the token, with another session's token, from
  another origin or with no origin at all are refused (and logged); so are
  login POSTs from another site or without the form's cookie.
- The throttle: five failures free, then 429 with Retry-After, the right
  password refused too while throttled, [AUTH] lines in the web server's
  error log; good logins are never throttled.
- A one-time password (user add without --password-stdin): every page
  and the API lead to /account/password until it is changed; then the old
  password fails and the new one works; the user's other sessions end.
- llmopsctl user disable (and passwd) ends live sessions on every server.
- API keys: accepted behind every server (Apache needs CGIPassAuth),
  read-only (POST routes and the callback refuse them), never a page,
  refused at once after llmopsctl apikey revoke (lib/auth.c and
  lib/apikey_admin.c keep no cache: every request looks the key up), stored
  as a hash only.
- After a MariaDB restart, the first login, session check and API-key
  check of every responder are run again on a new connection (lib/db.c's
  db_txn): no 503, no [DB] line in the log.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

ORG = "sessions-org"
SESSION_HOURS = 2
PAGES = ["/", "/agents", "/departments", "/teams", "/models", "/timeseries",
         "/errors", "/events"]
COOKIE_RE = r"v1\.[A-Za-z0-9_-]{43}\.[1-9][0-9]{0,11}\.[A-Za-z0-9_-]{43}"
EVIL = "https://evil.example"


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sign(key, id_b64, expires):
    """A session cookie value as lib/session.c makes it."""
    m = "v1.%s.%d" % (id_b64, expires)
    return m + "." + b64(hmac.new(key, m.encode(), hashlib.sha256).digest())


def stack_key(stack):
    with open(stack.secret_file) as f:
        return bytes.fromhex(f.read().strip())


def parse_set_cookie(sc):
    """(name, value, {attribute lower-case: value or True})."""
    parts = [p.strip() for p in sc.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, eq, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name, value, attrs


def with_cookie(stack, name, value):
    c = stack.client()
    c.cookies = {name: value}
    return c


def refused(stack, name, value):
    """True when a cookie opens neither a page nor the API, nor a POST."""
    c = with_cookie(stack, name, value)
    s1, hd, _ = c.get("/")
    s2, _, _ = c.get("/api/v1/usage")
    c.cookies = {name: value}
    s3, _, _ = c.post("/logout", {"csrf": "x"})
    return (s1 == 303 and hd.get("location", "").startswith("/login") and
            s2 == 401 and s3 == 403), (s1, s2, s3)


def accepted(stack, name, value):
    c = with_cookie(stack, name, value)
    s1, _, _ = c.get("/")
    s2, _, _ = c.get("/api/v1/usage")
    return s1 == 200 and s2 == 200


def session_cookie(c):
    """(name, value) of the session cookie a WebClient holds."""
    return [(n, v) for n, v in c.cookies.items()
            if n.endswith("llmops_session")][0]


def login(stack, email, pw):
    c = stack.client()
    status, hdrs, body = c.login(email, pw)
    if status != 303:
        raise h.StartError("login of %s: %d %s" % (email, status, body[:300]))
    return c


def reset_throttle(db):
    db.sql("DELETE FROM login_failures")


# ---------------------------------------------------------------------------

def check_cookie_attributes(lt, sec, db, email, pw):
    c = lt.client()
    c.get("/login")
    login_sc = [parse_set_cookie(s) for s in c.set_cookies]
    h.ok(len(login_sc) == 1 and login_sc[0][0] == "llmops_login" and
         login_sc[0][2].get("httponly") and
         login_sc[0][2].get("samesite") == "Strict" and
         login_sc[0][2].get("path") == "/" and
         login_sc[0][2].get("max-age") == "3600" and
         "secure" not in login_sc[0][2],
         "plain HTTP: the login form's cookie is HttpOnly, SameSite=Strict, "
         "Path=/, an hour", diag=repr(c.set_cookies))
    t0 = int(time.time())
    status, hdrs, _ = c.login(email, pw)
    sc = [parse_set_cookie(s) for s in c.set_cookies]
    h.ok(status == 303 and len(sc) == 1, "a login sets one cookie",
         diag=repr(c.set_cookies))
    name, value, attrs = sc[0]
    h.is_(name, "llmops_session", "plain HTTP: the cookie is llmops_session")
    h.like(value, "^" + COOKIE_RE + "$", "its value is v1.<id>.<expires>.<mac>")
    h.is_({k: attrs.get(k) for k in ("path", "max-age", "httponly", "samesite",
                                     "secure", "domain")},
          {"path": "/", "max-age": str(SESSION_HOURS * 3600), "httponly": True,
           "samesite": "Strict", "secure": None, "domain": None},
          "Path=/, Max-Age from session_hours, HttpOnly, SameSite=Strict, "
          "no Domain, not Secure over plain HTTP")
    exp = int(value.split(".")[2])
    h.ok(t0 + SESSION_HOURS * 3600 <= exp <= int(time.time()) + SESSION_HOURS *
         3600 + 1, "the cookie's expiry is the Max-Age from now")
    id_bytes = unb64(value.split(".")[1])
    rows = db.sql("SELECT HEX(id_hash), expires_us DIV 1000000 FROM sessions "
                  "WHERE id_hash = UNHEX('%s')" % hashlib.sha256(id_bytes).hexdigest())
    h.is_(rows, [(hashlib.sha256(id_bytes).hexdigest().upper(), str(exp))],
          "the sessions table has the id's SHA-256 and the same expiry")
    dump = db.dump()
    h.ok(value.split(".")[1] not in dump and id_bytes.hex() not in dump.lower()
         and id_bytes.hex().upper() not in dump,
         "the session id itself is stored nowhere")

    # secure_cookies = "always": __Host- cookies (Secure, Path=/, no Domain).
    c = sec.client()
    c.get("/login")
    bad = []
    for n, v, a in [parse_set_cookie(s) for s in c.set_cookies]:
        if not (n == "__Host-llmops_login" and a.get("secure") and
                a.get("path") == "/" and "domain" not in a and
                a.get("httponly") and a.get("samesite") == "Strict"):
            bad.append(c.set_cookies)
    h.ok(c.set_cookies and not bad, 'secure_cookies = "always": the login '
         "form's cookie is __Host-llmops_login, Secure, Path=/ (as the prefix "
         "requires, or browsers drop it), no Domain", diag=repr(c.set_cookies))
    status, _, _ = c.login(email, pw)
    sc = [parse_set_cookie(s) for s in c.set_cookies]
    h.ok(status == 303 and len(sc) == 1, "secure: a login sets one cookie")
    name, value, attrs = sc[0]
    h.is_((name, attrs.get("secure"), attrs.get("path"), attrs.get("domain"),
           attrs.get("httponly"), attrs.get("samesite"),
           attrs.get("max-age")),
          ("__Host-llmops_session", True, "/", None, True, "Strict",
           str(12 * 3600)),
          'secure_cookies = "always": __Host-llmops_session; Secure; Path=/; '
          "HttpOnly; SameSite=Strict; Max-Age of the default 12 hours")
    h.ok(accepted(sec, name, value), "secure: the cookie opens pages and the API")
    h.ok(refused(sec, "llmops_session", value)[0],
         "secure: the same value under the plain name is ignored")
    status, _, _ = c.logout()
    sc = [parse_set_cookie(s) for s in c.set_cookies]
    h.ok(status == 303 and sc and sc[0][0] == "__Host-llmops_session" and
         sc[0][2].get("max-age") == "0" and sc[0][2].get("secure") and
         sc[0][2].get("path") == "/",
         "secure: logout clears the __Host- cookie (Max-Age=0, Secure, Path=/)",
         diag=repr(c.set_cookies))


def check_bad_cookies(lt, ap, db, email, pw):
    key = stack_key(lt)
    c = login(lt, email, pw)
    value = c.cookies["llmops_session"]
    _, id_b64, exp, mac = value.split(".")
    exp = int(exp)
    now = int(time.time())
    h.ok(accepted(lt, "llmops_session", value), "the real cookie works")
    h.ok(accepted(lt, "llmops_session", sign(key, id_b64, exp - 1)),
         "re-signed here with the stack's secret (expiry - 1 s) it works: the "
         "cookies below are made right")

    ok, got = refused(lt, "llmops_session", sign(key, id_b64, now - 5))
    h.ok(ok, "expired (signed with the stack's secret, 5 s ago): refused",
         diag=repr(got))
    ok, got = refused(lt, "llmops_session", sign(key, id_b64, now))
    h.ok(ok, "expiring now: refused", diag=repr(got))
    ok, got = refused(lt, "llmops_session",
                      sign(secrets.token_bytes(32), id_b64, exp))
    h.ok(ok, "signed with another secret: refused", diag=repr(got))
    ok, got = refused(lt, "llmops_session",
                      sign(key, b64(secrets.token_bytes(32)), exp))
    h.ok(ok, "a valid signature on an id that names no session: refused",
         diag=repr(got))
    other = login(ap, email, pw).cookies["llmops_session"]
    h.ok(accepted(ap, "llmops_session", other), "a login on the other stack "
         "works there")
    ok, got = refused(lt, "llmops_session", other)
    h.ok(ok, "... but that stack's cookie (its own secret) is refused here",
         diag=repr(got))

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    def bump(s, i):
        ch = s[i]
        if ch.isdigit():
            new = str((int(ch) + 1) % 10)
        else:
            new = alphabet[(alphabet.index(ch) + 1) % len(alphabet)]
        return s[:i] + new + s[i + 1:]
    tampered = {
        "version": "v2.%s.%d.%s" % (id_b64, exp, mac),
        "id (first character)": "v1.%s.%d.%s" % (bump(id_b64, 0), exp, mac),
        "id (middle)": "v1.%s.%d.%s" % (bump(id_b64, 20), exp, mac),
        "expiry (last digit)": "v1.%s.%s.%s" % (id_b64, bump(str(exp), 9), mac),
        "mac (first character)": "v1.%s.%d.%s" % (id_b64, exp, bump(mac, 0)),
        "mac (last character)": "v1.%s.%d.%s" % (id_b64, exp, bump(mac, 42)),
        "truncated": value[:-1],
        "extended": value + "A",
    }
    for what, v in tampered.items():
        ok, got = refused(lt, "llmops_session", v)
        h.ok(ok and v != value, "tampered %s: refused" % what, diag=repr(got))
    h.ok(accepted(lt, "llmops_session", value), "the real cookie still works")
    # A second cookie of the same name (planted for another path or
    # domain): ambiguous, so neither is used.
    for pair in ((value, sign(key, b64(secrets.token_bytes(32)), exp)),
                 (value, value)):
        s, hd, _ = h.http("GET", lt.url("/"), headers={
            "Cookie": "llmops_session=%s; llmops_session=%s" % pair})
        h.ok(s == 303 and hd.get("location", "").startswith("/login"),
             "the real cookie and a second one of the same name: refused",
             diag="%d %r" % (s, hd))

    # Expired in the database only: the cookie's own expiry is still ahead.
    c2 = login(lt, email, pw)
    v2 = c2.cookies["llmops_session"]
    idh = hashlib.sha256(unb64(v2.split(".")[1])).hexdigest()
    h.ok(accepted(lt, "llmops_session", v2), "a second session works")
    db.sql("UPDATE sessions SET expires_us = %d WHERE id_hash = UNHEX('%s')"
           % ((time.time() - 1) * 1e6, idh))
    ok, got = refused(lt, "llmops_session", v2)
    h.ok(ok, "its row expired in the database: refused", diag=repr(got))
    h.like(lt.error_log_text(), r"\[AUTH\] refused a session cookie with a bad "
           r"signature from 127\.0\.0\.1", "bad signatures are logged [AUTH]")
    return c


def check_logout(lt, c):
    value = c.cookies["llmops_session"]
    idh = hashlib.sha256(unb64(value.split(".")[1])).hexdigest()
    status, hdrs, _ = c.logout()
    sc = [parse_set_cookie(s) for s in c.set_cookies]
    h.ok(status == 303 and hdrs.get("location") == "/login",
         "logout (same origin, CSRF token) answers 303 to /login")
    h.ok(sc and sc[0][0] == "llmops_session" and sc[0][1] == "" and
         sc[0][2].get("max-age") == "0" and sc[0][2].get("path") == "/",
         "logout clears the cookie", diag=repr(c.set_cookies))
    h.is_(lt.db.sql("SELECT COUNT(*) FROM sessions WHERE id_hash = UNHEX('%s')"
                    % idh), [("0",)], "logout deletes the session row")
    ok, got = refused(lt, "llmops_session", value)
    h.ok(ok, "the old cookie, sent again, is refused", diag=repr(got))


def check_csrf(lt, email, pw, email2, pw2):
    c = login(lt, email, pw)
    token = c.csrf("/")
    other = login(lt, email2, pw2).csrf("/")
    h.ok(token and other and token != other, "each session has its own CSRF "
         "token in its pages")
    cases = [
        ("no token", {}, True),
        ("an empty token", {"csrf": ""}, True),
        ("another session's token", {"csrf": other}, True),
        ("a changed token", {"csrf": token[:-1] + ("A" if token[-1] != "A"
                                                   else "B")}, True),
        ("the token, from another origin", {"csrf": token}, EVIL),
        ("the token, Origin null", {"csrf": token}, "null"),
        ("the token, the same host on another port",
         {"csrf": token}, "http://127.0.0.1:1"),
    ]
    for what, form, origin in cases:
        status, _, body = c.post("/logout", form, origin=origin)
        h.is_(status, 403, "POST /logout with %s: 403" % what)
    status, _, _ = c.post("/logout", {"csrf": token}, origin=False)
    h.is_(status, 403, "POST /logout with the token but neither Origin nor "
          "Referer: 403")
    status, _, _ = c.post("/logout", {"csrf": token}, origin=False,
                          headers={"Referer": EVIL + "/"})
    h.is_(status, 403, "... with a Referer from another site: 403")
    status, _, _ = c.post("/account/password", {
        "current": pw, "new": "attacker-chosen-pw", "again": "attacker-chosen-pw"},
        origin=EVIL)
    h.is_(status, 403, "a cross-site password change without the token: 403")
    s, _, _ = c.get("/")
    h.is_(s, 200, "the session survived every refused POST")
    h.is_(lt.client().login(email, pw)[0], 303, "the password is unchanged")
    h.is_(lt.client().login(email, "attacker-chosen-pw")[0], 401,
          "... the attacker's password does not work")
    log = lt.error_log_text()
    h.like(log, r"\[AUTH\] POST /logout: 403 refused: the form is stale or "
           r"came from another site.*\(%s" % re.escape(email),
           "refused POSTs are logged [AUTH] with the user")
    # Same origin by Referer (no Origin, as older browsers): accepted.
    status, hdrs, _ = c.post("/logout", {"csrf": token}, origin=False,
                             headers={"Referer": c.origin + "/teams"})
    h.ok(status == 303 and hdrs.get("location") == "/login",
         "the token with a same-origin Referer logs out")

    # Login CSRF: another site cannot log a browser in.
    d = lt.client()
    status, _, _ = d.login(email, pw, origin=EVIL)
    h.ok(status == 403 and not d.cookies.get("llmops_session"),
         "a login POST from another site: 403, no session")
    d = lt.client()
    _, _, page = d.get("/login")
    tok = h.hidden_input(page, "login_token")
    d.cookies = {}
    status, _, _ = d.post("/login", {"email": email, "password": pw,
                                     "login_token": tok})
    h.is_(status, 403, "a login POST without the form's cookie: 403")
    d = lt.client()
    d.get("/login")
    status, _, _ = d.post("/login", {"email": email, "password": pw,
                                     "login_token": b64(secrets.token_bytes(32))})
    h.is_(status, 403, "a login POST whose token is not the cookie's: 403")
    h.like(lt.error_log_text(), r"\[AUTH\] refused a login POST without a "
           r"valid form token or from another origin, from 127\.0\.0\.1",
           "refused login POSTs are logged [AUTH]")
    d = lt.client()
    _, _, page = d.get("/login")
    status, _, _ = d.post("/login", {"email": email, "login_token":
                                     h.hidden_input(page, "login_token")})
    h.is_(status, 400, "a login POST without a password: 400")
    h.like(lt.error_log_text(), r"\[AUTH\] refused a login POST without a "
           r"valid e-mail address or password, from 127\.0\.0\.1",
           "... logged [AUTH]")


def check_next(lt, email, pw):
    """After the login the browser returns where it was, never elsewhere."""
    c = lt.client()
    s, hd, _ = c.get("/teams?range=24h&department=eng")
    loc = hd.get("location", "")
    nxt = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query).get("next")
    h.ok(s == 303 and loc.startswith("/login?") and
         nxt == ["/teams?range=24h&department=eng"],
         "a page without a session leads to the login form, with next=",
         diag=loc)
    _, _, page = c.get(loc)
    h.is_(h.hidden_input(page, "next"), nxt[0], "the form keeps next")
    s, hd, _ = c.post("/login", {"email": email, "password": pw, "next": nxt[0],
                                 "login_token": h.hidden_input(page,
                                                               "login_token")})
    h.ok(s == 303 and hd.get("location") == nxt[0],
         "after the login the browser goes back there", diag=repr(hd))
    bad = []
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example",
                   "/\t/evil.example", "/\n/evil.example", "/\r\n/x",
                   " //evil.example", "\t//evil.example", "evil.example"):
        c = lt.client()
        _, _, page = c.get("/login")
        s, hd, _ = c.post("/login", {
            "email": email, "password": pw, "next": target,
            "login_token": h.hidden_input(page, "login_token")})
        if s != 303 or hd.get("location") != "/":
            bad.append((target, s, hd.get("location")))
    h.ok(not bad, "next= naming another site (also hidden behind control "
         "characters, which browsers drop) goes to / instead", diag=repr(bad))


def check_throttle(lt, db, conf, email, pw, email2, pw2):
    reset_throttle(db)
    # Good logins are not failures: many in a row, none throttled.
    got = [lt.client().login(email2, pw2)[0] for _ in range(8)]
    h.is_(got, [303] * 8, "eight good logins in a row from one address: none "
          "throttled")
    statuses, first429 = [], None
    for i in range(14):
        c = lt.client()
        status, hdrs, body = c.login(email, "wrong-password-%d" % i)
        statuses.append(status)
        if status == 429:
            first429 = (hdrs, body)
            break
    h.is_(statuses[:5], [401] * 5, "five wrong passwords: 401 each")
    h.ok(first429 is not None and all(s == 401 for s in statuses[:-1]),
         "then the throttle engages: 429 (after %d failures)"
         % (len(statuses) - 1), diag=repr(statuses))
    if first429:
        ra = first429[0].get("retry-after", "")
        h.ok(ra.isdigit() and 1 <= int(ra) <= 900, "429 has Retry-After in "
             "seconds (%r)" % ra)
        h.like(first429[1], r"Too many failed attempts\. Try again in \d+ "
               r"seconds\.", "the page says why and for how long")
    # Hold the throttle for sure: as after twelve failures (128 s).
    n = db.sql("SELECT COUNT(*) FROM login_failures")[0][0]
    db.sql("UPDATE login_failures SET failures = 12, last_us = %d"
           % (time.time() * 1e6))
    c = lt.client()
    status, hdrs, body = c.login(email, pw)
    h.ok(status == 429 and 60 <= int(hdrs.get("retry-after", "0")) <= 128 and
         "llmops_session" not in c.cookies,
         "the right password is refused too while throttled (429, no "
         "session)", diag="%d %r" % (status, hdrs))
    c = lt.client()
    status, _, _ = c.login(email2, pw2)
    h.ok(status == 429 and "llmops_session" not in c.cookies,
         "another account from the same address waits as well")
    log = lt.error_log_text()
    h.like(log, r"\[AUTH\] failed login for %s from 127\.0\.0\.1 \(wrong "
           r"password\)" % re.escape(email), "failures are logged [AUTH]")
    h.like(log, r"\[AUTH\] login for %s from 127\.0\.0\.1 throttled for \d+ s"
           % re.escape(email), "throttled attempts are logged [AUTH]")
    h.ok("wrong-password-" not in log and pw not in log,
         "no password in the log")
    keys = ["acct:%s|ip:127.0.0.1" % email, "ip:127.0.0.1"]
    h.is_(db.sql("SELECT COUNT(*) FROM login_failures WHERE key_hash IN (%s)"
                 % ", ".join("UNHEX('%s')" % hashlib.sha256(k.encode())
                             .hexdigest() for k in keys)), [(n,)],
          "failures are kept under two keys, account and address, and "
          "address, as SHA-256 (no e-mail or address in clear)")
    h.is_(n, "2", "... and no other")
    reset_throttle(db)
    h.is_(lt.client().login(email, pw)[0], 303, "once the failures are gone "
          "the login works")


def check_one_time_password(lt, db, conf):
    email = "otp@sessions.example"
    rc, out, err = h.llmopsctl(conf, "user", "add", ORG, email)
    otp = out.strip()
    h.ok(rc == 0 and re.fullmatch(r"\S{20}", otp) and "one-time" in err,
         "user add without --password-stdin prints a one-time password",
         diag=repr((rc, out, err)))
    c = lt.client()
    status, hdrs, _ = c.login(email, otp)
    h.ok(status == 303 and hdrs.get("location") == "/account/password",
         "its login leads to /account/password", diag=repr(hdrs))
    early = login(lt, email, otp)
    bad = []
    for p in PAGES + ["/departments?department=x&format=csv&table=departments"]:
        s, hd, body = c.get(p)
        if s != 303 or hd.get("location") != "/account/password":
            bad.append((p, s, hd.get("location")))
    h.ok(not bad, "every page redirects to /account/password", diag=repr(bad))
    s, _, body = c.get("/api/v1/usage")
    s2, _, body2 = c.get("/api/v1/events")
    h.ok(s == 403 and '"rows"' not in body and s2 == 403 and
         '"events"' not in body2,
         "the JSON API refuses the session until the password is changed",
         diag="%d %s" % (s, body[:200]))
    s, _, page = c.get("/account/password")
    h.ok(s == 200 and "set by an administrator" in page,
         "the password form says why")
    token = h.hidden_input(page, "csrf")
    new = "my-own-password-" + secrets.token_hex(4)
    for what, form, want in (
            ("a wrong current password", {"current": "nope-" + otp, "new": new,
                                          "again": new}, 403),
            ("different new passwords", {"current": otp, "new": new,
                                         "again": new + "x"}, 400),
            ("the same password again", {"current": otp, "new": otp,
                                         "again": otp}, 400),
            ("a short password", {"current": otp, "new": "short",
                                  "again": "short"}, 400)):
        form["csrf"] = token
        s, _, _ = c.post("/account/password", form)
        h.is_(s, want, "changing it with %s: %d" % (what, want))
    s, hd, _ = c.get("/")
    h.ok(s == 303 and hd.get("location") == "/account/password",
         "still redirected after refused changes")
    log = lt.error_log_text()
    h.ok(all(re.search(r"\[AUTH\] %s" % re.escape(m), log) for m in (
        "%s gave a wrong current password" % email,
        "password of %s not changed: The new passwords differ." % email,
        "password of %s not changed: Choose a password you did not use now."
        % email, "password of %s not changed: the password is shorter than "
        "12 characters" % email)) and otp not in log and new not in log,
         "each refused change is logged [AUTH], without the passwords")
    s, hd, _ = c.post("/account/password", {"csrf": token, "current": otp,
                                             "new": new, "again": new})
    h.ok(s == 303 and hd.get("location") == "/", "the change is accepted, "
         "on to the dashboard")
    s, _, _ = c.get("/")
    h.is_(s, 200, "the dashboard opens now, in the same session")
    h.is_(c.get("/api/v1/usage")[0], 200, "... and the API")
    h.is_(db.sql("SELECT must_change_password FROM users WHERE email = '%s'"
                 % email), [("0",)], "no change is required any more")
    h.ok(refused(lt, "llmops_session", early.cookies["llmops_session"])[0],
         "the user's other session (logged in with the one-time password) "
         "ended")
    c.logout()
    h.is_(lt.client().login(email, otp)[0], 401, "the one-time password "
          "no longer works")
    status, hdrs, _ = lt.client().login(email, new)
    h.ok(status == 303 and hdrs.get("location") == "/", "the new one does, "
         "straight to the dashboard")
    reset_throttle(db)


def check_disable(stacks, db, conf):
    email, pw = "leaver@sessions.example", "leaver-password-1"
    h.add_user(conf, ORG, email, "viewer", pw)
    clients = [(label, st, login(st, email, pw)) for label, st in stacks]
    for label, st, c in clients:
        h.is_(c.get("/")[0], 200, "%s: the user's session works" % label)
    rc, out, err = h.llmopsctl(conf, "user", "disable", email)
    h.is_(rc, 0, "llmopsctl user disable")
    for label, st, c in clients:
        name, value = session_cookie(c)
        ok, got = refused(st, name, value)
        h.ok(ok, "%s: the next request of the live session is refused" % label,
             diag=repr(got))
    h.is_(db.sql("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = "
                 "s.user_id WHERE u.email = '%s'" % email), [("0",)],
          "the user's sessions are deleted")
    h.is_(stacks[0][1].client().login(email, pw)[0], 401,
          "a disabled user cannot log in")
    h.like(stacks[0][1].error_log_text(), r"\[AUTH\] failed login for %s "
           r"from 127\.0\.0\.1 \(disabled user\)" % re.escape(email),
           "... which is logged")
    h.is_(h.llmopsctl(conf, "user", "enable", email)[0], 0,
          "llmopsctl user enable")
    for label, st, c in clients:
        name, value = session_cookie(c)
        h.ok(refused(st, name, value)[0], "%s: enabled again, the old session "
             "stays ended" % label)
    label, st = stacks[0]
    c = login(st, email, pw)
    h.is_(c.get("/")[0], 200, "a new login works")
    rc, _, _ = h.llmopsctl(conf, "user", "passwd", email, "--password-stdin",
                           input="leaver-password-2\n")
    h.ok(rc == 0 and refused(st, "llmops_session",
                             c.cookies["llmops_session"])[0],
         "llmopsctl user passwd ends the live session too")
    reset_throttle(db)


def check_apikeys(stacks, db, conf, email, pw):
    key = h.create_apikey(conf, ORG, "reader")
    org_id = json.loads(h.llmopsctl(conf, "org", "list", "--format", "json")[1])
    org_id = [o["id"] for o in org_id if o["name"] == ORG][0]
    bearer = {"Authorization": "Bearer " + key}
    for label, st in stacks:
        s, hd, doc = h.http_json("GET", st.url("/api/v1/usage"), headers=bearer)
        h.ok(s == 200 and doc["organization"]["id"] == org_id,
             "%s: the API key reads its organization's usage" % label,
             diag="%d %r" % (s, doc))
        s, _, doc = h.http_json("GET", st.url("/api/v1/events?limit=1"),
                                headers=bearer)
        h.ok(s == 200 and len(doc.get("events") or []) == 1,
             "%s: ... and its events" % label)
        s, hd, _ = h.http_json("GET", st.url("/api/v1/usage"), headers={
            "Authorization": "Bearer llk_" + "A" * 43})
        h.ok(s == 401 and hd.get("www-authenticate") == "Bearer",
             "%s: an unknown key: 401 with WWW-Authenticate: Bearer" % label,
             diag="%d %r" % (s, hd))
        s, _, _ = h.http("GET", st.url("/api/v1/usage"), headers={
            "Authorization": "Basic " + b64(b"a:b")})
        h.is_(s, 401, "%s: other credentials: 401" % label)
        # Read-only: no POST route takes a key.
        for path, want in (("/logout", 403), ("/account/password", 403),
                           ("/api/v1/usage", 405), ("/api/v1/events", 405)):
            s, hd, _ = h.http("POST", st.url(path), body="csrf=x", headers=dict(
                bearer, **{"Content-Type": "application/x-www-form-urlencoded",
                           "Origin": st.url("/").rstrip("/")}))
            h.is_(s, want, "%s: POST %s with the key: %d" % (label, path, want))
        s, hd, _ = h.http("PUT", st.url("/api/v1/usage"), headers=bearer)
        h.ok(s == 405 and "POST" not in hd.get("allow", "POST"),
             "%s: PUT /api/v1/usage: 405, Allow: GET, HEAD" % label,
             diag="%d %r" % (s, hd))
        before = db.sql("SELECT COUNT(*) FROM usage_events")
        ev = {"id": "key-as-token", "call_type": "acompletion",
              "status": "success", "model": "openai/gpt-4",
              "startTime": time.time(), "endTime": time.time() + 0.1,
              "metadata": {"requester_custom_headers": {
                  "x-cloudidr-token": key}}}
        s1, _, _ = h.http_json("POST", st.url("/api/litellm/callback"), [ev],
                               headers=bearer)
        s2, _, _ = h.http_json("POST", st.url("/api/litellm/callback"),
                               [dict(ev, metadata={})], headers=bearer)
        h.ok(s1 == 401 and s2 == 401 and
             db.sql("SELECT COUNT(*) FROM usage_events") == before,
             "%s: the key cannot post events (as token or Authorization): "
             "401, nothing stored" % label, diag=repr((s1, s2)))
        s, hd, _ = h.http("GET", st.url("/departments"), headers=bearer)
        h.ok(s == 303 and hd.get("location", "").startswith("/login"),
             "%s: the key opens no page" % label)
    h.ok(key not in db.dump(), "the key is stored nowhere (its SHA-256 only)")
    h.ok(all(key not in st.error_log_text() for _, st in stacks),
         "the key is in no log")
    rows = json.loads(h.llmopsctl(conf, "apikey", "list", ORG, "--format",
                                  "json")[1])
    kid = [r["id"] for r in rows if r["label"] == "reader"][0]
    h.ok([r["last_used"] for r in rows if r["id"] == kid][0],
         "apikey list shows the last use")
    h.is_(h.llmopsctl(conf, "apikey", "revoke", kid)[0], 0,
          "llmopsctl apikey revoke")
    # No cache anywhere (lib/auth.c, lib/apikey_admin.c): refused at once, by
    # every process of every server.
    for label, st in stacks:
        got = [h.http_json("GET", st.url("/api/v1/usage"), headers=bearer)[0]
               for _ in range(6)]
        h.is_(got, [401] * 6, "%s: the revoked key is refused at once, six "
              "times in a row" % label)
    # A session is no key either: the cookie does not make POSTs keyless.
    c = login(stacks[0][1], email, pw)
    s, _, _ = c.post("/logout", {}, headers=bearer)
    h.is_(s, 403, "a session that also sends a key still needs the CSRF "
          "token to POST")


def log_ends(stack):
    """Where each log file of a stack ends now."""
    return [(p, os.path.getsize(p) if os.path.exists(p) else 0)
            for d in stack.daemons() for p in d.logs]


def logged_since(ends):
    """What the log files of log_ends() gained since."""
    parts = []
    for path, size in ends:
        try:
            with open(path, "rb") as f:
                f.seek(size)
                parts.append(f.read().decode("utf-8", "replace"))
        except OSError:
            pass
    return "\n".join(parts)


def check_database_restart(stacks, db, conf, email, pw):
    """Every responder holds a connection the restart breaks: the first
    request of each must reconnect and answer as if nothing happened."""
    key = h.create_apikey(conf, ORG, "after-restart")
    bearer = {"Authorization": "Bearer " + key}
    ends = [log_ends(st) for _, st in stacks]
    reset_throttle(db)
    db.restart()
    for label, st in stacks:
        status, _, _ = st.client().login(email, pw)
        h.is_(status, 303, "%s: right after a MariaDB restart, a login "
              "works" % label)
    for label, st in stacks:
        c = login(st, email, pw)
        got = [c.get("/")[0] for _ in range(6)]
        h.is_(got, [200] * 6, "%s: ... and so does the session, six pages "
              "in a row" % label)
    for label, st in stacks:
        got = [h.http_json("GET", st.url("/api/v1/usage"), headers=bearer)[0]
               for _ in range(6)]
        h.is_(got, [200] * 6, "%s: ... and the API key, six times in a row"
              % label)
    for (label, st), where in zip(stacks, ends):
        after = logged_since(where)
        h.ok("[DB]" not in after, "%s: no database error logged after the "
             "restart" % label, diag=after[-2000:])


def main():
    db = h.MariaDB().start()
    lt = h.start_all("lighttpd", db=db,
                     web_conf="session_hours = %d;" % SESSION_HOURS)
    sec = h.start_all("apache-proxy", db=db,
                      web_conf='secure_cookies = "always";')
    ap = h.start_all("apache", db=db)
    conf = lt.conf
    h.create_org(conf, ORG)
    token = h.create_token(conf, ORG)
    s, _, doc = h.http_json("POST", lt.url("/api/litellm/callback"), [{
        "id": "sess-1", "call_type": "acompletion", "status": "success",
        "model": "openai/gpt-4", "startTime": time.time() - 60,
        "endTime": time.time() - 59, "prompt_tokens": 10,
        "completion_tokens": 2, "total_tokens": 12,
        "metadata": {"requester_custom_headers": {"x-cloudidr-token": token,
                                                  "x-department": "eng"}}}])
    h.ok(s == 200 and doc["accepted"] == 1, "an event to read")
    email, pw = "alice@sessions.example", "alice-password-1"
    email2, pw2 = "bob@sessions.example", "bob-password-22"
    h.add_user(conf, ORG, email, "viewer", pw)
    h.add_user(conf, ORG, email2, "admin", pw2)

    check_cookie_attributes(lt, sec, db, email, pw)
    c = check_bad_cookies(lt, ap, db, email, pw)
    check_logout(lt, c)
    check_csrf(lt, email, pw, email2, pw2)
    check_next(lt, email, pw)
    check_throttle(lt, db, conf, email, pw, email2, pw2)
    check_one_time_password(lt, db, conf)
    check_disable([("lighttpd", lt), ("Apache mod_proxy_fcgi", sec),
                   ("Apache mod_fcgid", ap)], db, conf)
    check_apikeys([("lighttpd", lt), ("Apache mod_fcgid", ap),
                   ("Apache mod_proxy_fcgi", sec)], db, conf, email, pw)
    check_database_restart([("lighttpd", lt), ("Apache mod_fcgid", ap),
                            ("Apache mod_proxy_fcgi", sec)], db, conf, email,
                           pw)

    for label, st in (("lighttpd", lt), ("Apache mod_proxy_fcgi", sec),
                      ("Apache mod_fcgid", ap)):
        st.stop()
        h.ok(not st.sanitizer_reports(), "%s: no sanitizer report" % label)
    h.done_testing()


main()
