"""Shared helpers for the llmops integration tests (Python 3 standard library only).

Every integration test imports this module. It provides:

* TAP output: plan(), ok(), is_(), like(), diag(), bail_out(), done_testing().
  The exit status is non-zero when a test failed, when fewer tests ran than
  planned, or when the script died.
* Servers that cannot start (see "Missing programs" below): a test fails
  loudly, except that outside CI a program that is not installed at all is a
  skip.
* Private servers on loopback, all under one temporary directory: MariaDB,
  lighttpd and Apache (mod_fcgid, or mod_proxy_fcgi in front of the standalone
  responder). The web server configurations are derived from the snippets in
  etc/, so the tests prove the files a sysadmin installs.
* http()/http_json() clients, llmopsctl() and migrate(), start_all().
* A scan of server logs for sanitizer reports, and of /proc for processes a
  stopped server left behind.

Paths come from the environment: LLMOPS_SRCDIR (source tree, default: the
parent of tests/) and LLMOPS_BUILDDIR (build tree holding fcgi/llmops.fcgi and
cli/llmopsctl, default: the source tree). LLMOPS_KEEP_TMP=1 keeps the
temporary directory (it is always kept when a test failed).

As root, the web servers run their workers as www-data, as on Debian: the
temporary directory is world-traversable and the database password file is
root:www-data 0640.

Missing programs: what "cannot start" means
-------------------------------------------
Two cases, told apart by the exception:

* NotInstalled (a StartError): something the test needs is not on this
  machine at all: a program found neither in PATH nor in /usr/sbin, /sbin
  (find_program: mariadbd, mariadb-install-db, the mariadb clients,
  lighttpd, apache2, chromium), or an Apache module file that is absent
  (mod_fcgid: libapache2-mod-fcgid). A packager running `make check`
  without MariaDB, a web server or Chromium gets that.
* StartError: the program is there but does not work: it exits early,
  rejects the configuration we wrote from etc/, does not answer within
  LLMOPS_START_TIMEOUT, keeps finding its port taken, mariadb-install-db
  or a migration fails; and also our own programs (llmops.fcgi, llmopsctl)
  missing or failing, or the www-data user missing when root. That is
  always a failure: a broken snippet in etc/ or a responder that crashes
  is exactly what these tests are for, and an installed server that
  cannot start is a broken machine, not an absent feature.

A NotInstalled that reaches the top of a test is a skip, unless the
environment has LLMOPS_REQUIRE_SERVERS=1 (tools/check and so CI set it):
then it fails like any StartError. Before any test ran, the whole script
is skipped ("1..0 # SKIP reason", which automake's TAP driver counts as
SKIP); after some ran (a test may use MariaDB first, then Apache), the
checks so far stand, one "ok N # SKIP reason" stands for the rest, and
the script ends there. Without Python >= 3.9, tests/python-or-skip does
the same for the whole script.
"""

import atexit
import grp
import html as htmllib
import http.client as httpclient
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import xml.etree.ElementTree as ET

_HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.environ.get("LLMOPS_SRCDIR") or os.path.join(_HERE, os.pardir))
BUILDDIR = os.path.abspath(os.environ.get("LLMOPS_BUILDDIR") or SRCDIR)
IS_ROOT = os.geteuid() == 0
# Debian's user for Apache and lighttpd workers; used only when we are root.
WEB_USER = "www-data"
# Seconds a server gets to answer after its start, and to exit after SIGTERM.
START_TIMEOUT = float(os.environ.get("LLMOPS_START_TIMEOUT", "60"))
STOP_TIMEOUT = 30.0

# What the etc/ snippets name, replaced by the private paths of a test.
SNIPPET_RESPONDER = "/usr/local/libexec/llmops/llmops.fcgi"
SNIPPET_RESPONDER_DIR = "/usr/local/libexec/llmops"
SNIPPET_CONF = "/etc/llmops.conf"
SNIPPET_LIGHTTPD_SOCKET = "/run/lighttpd/llmops.sock"
SNIPPET_PROXY_SOCKET = "/run/llmops/llmops.sock"
# The web servers' own error answers (etc/errors), installed in
# $(datadir)/llmops/errors.
SNIPPET_ERRORS = "/usr/local/share/llmops/errors"

# Debian's generator of lighttpd's mimetype.assign (package lighttpd).
CREATE_MIME = "/usr/share/lighttpd/create-mime.conf.pl"

# Lines that mean a sanitizer found something.
SANITIZER_PATTERNS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                      "ThreadSanitizer", "MemorySanitizer")
# Passed on to responders when set, so sanitizer builds keep their options.
_PASS_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


# "1" makes a program that is not installed a failure instead of a skip.
REQUIRE_SERVERS = os.environ.get("LLMOPS_REQUIRE_SERVERS") == "1"


class StartError(RuntimeError):
    """A server or command the test needs could not be started or run."""


class NotInstalled(StartError):
    """A program or module the test needs is not installed: a skip outside
    CI (see the module's documentation)."""


class MariaDBError(RuntimeError):
    """A statement sent with MariaDB.sql() failed."""


# ---------------------------------------------------------------------------
# TAP

class _Tap:
    def __init__(self):
        self.planned = None
        self.count = 0
        self.failed = 0
        self.finished = False


_tap = _Tap()


def _out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _tap_name(name):
    # One line; '#' would start a TAP directive.
    return " ".join(str(name).split()).replace("#", "\\#")


def plan(n):
    """Announces n tests; call before the first test."""
    if _tap.planned is not None or _tap.count:
        raise RuntimeError("plan() must come first, and once")
    _tap.planned = n
    _out("1..%d" % n)


def diag(msg):
    """Writes msg as TAP comment lines."""
    lines = str(msg).splitlines() or [""]
    for line in lines:
        _out("# " + line)


_diag = diag    # ok() has a parameter named diag


def ok(cond, name, diag=None):
    """Records one test; diag (text or callable) is printed when it fails."""
    _tap.count += 1
    name = _tap_name(name)
    if cond:
        _out("ok %d - %s" % (_tap.count, name))
        return True
    _tap.failed += 1
    _out("not ok %d - %s" % (_tap.count, name))
    _diag("  Failed test '%s'" % name)
    if diag is not None:
        _diag(diag() if callable(diag) else diag)
    return False


def is_(got, expected, name):
    """ok(got == expected), showing both when they differ."""
    return ok(got == expected, name,
              diag="       got: %r\n  expected: %r" % (got, expected))


def like(text, pattern, name):
    """ok(re.search(pattern, text))."""
    return ok(text is not None and re.search(pattern, text) is not None, name,
              diag="  %r\n  does not match %r" % (text, pattern))


def bail_out(reason):
    """Stops the whole test run (the TAP driver reports an error)."""
    _out("Bail out! " + _tap_name(reason))
    _tap.finished = True
    _tap.failed += 1
    cleanup()
    sys.stdout.flush()
    os._exit(255)


def failed():
    """True when a test failed so far."""
    return _tap.failed > 0


def done_testing():
    """Ends the script: prints the plan if none was given, stops every
    server, and exits non-zero if anything failed."""
    if _tap.planned is None:
        _out("1..%d" % _tap.count)
    elif _tap.planned != _tap.count:
        diag("planned %d tests but ran %d" % (_tap.planned, _tap.count))
        _tap.failed += 1
    _tap.finished = True
    cleanup()
    sys.exit(1 if _tap.failed else 0)


def _skip_rest(reason):
    """Ends the script: what ran stands, the rest is skipped for reason."""
    reason = _tap_name((str(reason).splitlines() or ["not installed"])[0])
    if _tap.count == 0 and _tap.planned is None:
        _out("1..0 # SKIP %s" % reason)
    else:
        more = max(1, (_tap.planned or 0) - _tap.count)
        for _ in range(more):
            _tap.count += 1
            _out("ok %d # SKIP %s (the rest of this test needs it)"
                 % (_tap.count, reason))
        if _tap.planned is None:
            _out("1..%d" % _tap.count)
    _tap.finished = True
    cleanup()
    sys.stdout.flush()
    os._exit(1 if _tap.failed else 0)


def skip_rest(reason):
    """Ends the script when this machine cannot run the rest (e.g. mount
    is not permitted): what ran stands, the rest is a TAP SKIP."""
    _skip_rest(reason)


def _excepthook(etype, value, tb):
    # A program that is not installed skips the rest outside CI.
    if issubclass(etype, NotInstalled) and not _tap.finished:
        if not REQUIRE_SERVERS:
            _skip_rest(value)
        diag("LLMOPS_REQUIRE_SERVERS=1: a program that is not installed "
             "fails the test instead of skipping it")
    # An exception ends the script: show it as TAP comments, fail, clean up.
    for line in traceback.format_exception(etype, value, tb):
        diag(line.rstrip("\n"))
    if not _tap.finished:
        first = (str(value).splitlines() or [""])[0][:160]
        ok(False, "test script died: %s: %s" % (etype.__name__, first))


sys.excepthook = _excepthook


# Signals end the script through SystemExit, so that cleanup runs; inside a
# critical section (starting a process and registering it for cleanup) they
# wait until its end, so no child is ever started without an owner.
_critical = 0
_pending_signal = None


def _on_signal(signum, frame):
    global _pending_signal
    if _critical:
        _pending_signal = signum
        return
    raise SystemExit(128 + signum)


class _CriticalSection:
    def __enter__(self):
        global _critical
        _critical += 1

    def __exit__(self, *exc):
        global _critical, _pending_signal
        _critical -= 1
        if not _critical and _pending_signal is not None:
            signum, _pending_signal = _pending_signal, None
            raise SystemExit(128 + signum)
        return False


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def _at_exit():
    died = not _tap.finished
    if died:
        if _tap.count == 0 or not _tap.failed:
            ok(False, "test script ended before done_testing()")
        _tap.finished = True
    cleanup()
    if died:
        if _tap.planned is None:
            _out("1..%d" % _tap.count)
        sys.stdout.flush()
        os._exit(1)


atexit.register(_at_exit)


# ---------------------------------------------------------------------------
# Cleanup, temporary directory, processes

_cleanups = []
_daemons = []
_workdir = None


def at_cleanup(fn):
    """Runs fn() when the test ends (last registered, first run)."""
    _cleanups.append(fn)


def cleanup():
    """Stops everything started so far; safe to call more than once."""
    # A second Ctrl-C or SIGTERM must not cut the cleanup short.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    if failed():
        for d in list(_daemons):
            d.dump_logs()
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # keep cleaning up
            diag("cleanup: %s: %s" % (type(e).__name__, e))


def web_ids():
    """(uid, gid) of the web server user when root, else None."""
    if not IS_ROOT:
        return None
    try:
        return pwd.getpwnam(WEB_USER).pw_uid, grp.getgrnam(WEB_USER).gr_gid
    except KeyError:
        raise StartError("user %s does not exist (apt-get install apache2 "
                         "or lighttpd creates it)" % WEB_USER)


def workdir():
    """The test's temporary directory (one per process), world-traversable so
    that www-data can reach sockets, configurations and the responder."""
    global _workdir
    if _workdir is None:
        base = os.path.basename(sys.argv[0] or "test").split(".")[0]
        parent = tempfile.gettempdir()
        if IS_ROOT and not _traversable(parent):
            parent = "/tmp"     # $TMPDIR is private: www-data could not get in
        _workdir = tempfile.mkdtemp(prefix="llmops-%s-" % base, dir=parent)
        os.chmod(_workdir, 0o755)
        at_cleanup(_remove_workdir)
    return _workdir


def _traversable(path):
    """True if every directory up to path lets others through."""
    path = os.path.abspath(path)
    while True:
        try:
            if not os.stat(path).st_mode & 0o001:
                return False
        except OSError:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def _remove_workdir():
    global _workdir
    if _workdir is None:
        return
    if failed() or os.environ.get("LLMOPS_KEEP_TMP"):
        diag("kept %s for inspection" % _workdir)
    else:
        shutil.rmtree(_workdir, ignore_errors=True)
    _workdir = None


def make_dir(path, owner_web=False, mode=0o755):
    """Creates path (and parents); owned by the web user if owner_web and
    root, for servers that write there after dropping privileges."""
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)
    ids = web_ids() if owner_web else None
    if ids:
        os.chown(path, ids[0], ids[1])
    return path


def unique_dir(prefix):
    """A new directory prefix-N inside workdir()."""
    for i in range(1, 1000):
        path = os.path.join(workdir(), "%s-%d" % (prefix, i))
        if not os.path.exists(path):
            return make_dir(path)
    raise StartError("too many %s directories" % prefix)


def poll(value, done, seconds=10, every=0.1):
    """Calls value() until done(result) or seconds have passed (work that
    happens after an answer, such as the loader's); the last result."""
    deadline = time.monotonic() + seconds
    while True:
        got = value()
        if done(got) or time.monotonic() > deadline:
            return got
        time.sleep(every)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_answers(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def unix_socket_answers(path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(path)
            return True
    except OSError:
        return False


# The Debian package of each program find_program looks for, for messages.
_PACKAGES = {"mariadbd": "mariadb-server", "mariadb-install-db": "mariadb-server",
             "mariadb": "mariadb-client", "mariadb-admin": "mariadb-client",
             "mariadb-dump": "mariadb-client", "lighttpd": "lighttpd",
             "apache2": "apache2", "chromium": "chromium"}


def find_program(name, *more):
    """Absolute path of the first program found in PATH or /usr/sbin, /sbin
    (not in a normal user's PATH on Debian); NotInstalled if none is."""
    for n in (name,) + more:
        path = shutil.which(n) or shutil.which(n, path="/usr/sbin:/sbin")
        if path:
            return path
    raise NotInstalled("%s not found in PATH, /usr/sbin or /sbin (Debian: %s)"
                       % (" or ".join((name,) + more),
                          _PACKAGES.get(name, "the package that has it")))


def processes_matching(marker):
    """[(pid, command line)] of processes whose command line or executable
    contains marker (a directory of ours), not counting this one."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % entry)
        except OSError:
            exe = ""
        if cmd and (marker in cmd or marker in exe):
            found.append((int(entry), cmd))
    return found


def kill_processes(procs):
    for pid, _ in procs:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def sanitizer_reports(text):
    """Lines of text that are sanitizer reports (ASan, LSan, UBSan...)."""
    return [line for line in text.splitlines()
            if any(p in line for p in SANITIZER_PATTERNS)]


class _Daemon:
    """A server process we started, with its logs."""

    name = "server"

    def __init__(self):
        self.proc = None
        self.dir = None
        self.logs = []          # files error_log_text() reads
        self.strays = []        # processes left after stop(), then killed

    # -- subclasses use these
    def _start_on_free_port(self, check_argv, run_argv, log_path, in_use):
        """For web servers: picks a free port, writes the configuration
        (self._config()), checks it, starts the server and waits until the
        port answers; retries with another port if it was taken meanwhile
        (the server's error says `in_use`)."""
        for attempt in range(3):
            self.port = free_port()
            path = self._config()
            rc, out, err = run(check_argv(path), timeout=60)
            if rc != 0:
                raise StartError("%s rejects %s:\n%s%s"
                                 % (" ".join(check_argv(path)[:2]), path, out, err))
            self._spawn(run_argv(path), log_path)
            try:
                self._wait(lambda: port_answers(self.port),
                           "answered on port %d" % self.port)
                return self
            except StartError as e:
                self._terminate(signal.SIGKILL)
                if attempt == 2 or in_use not in str(e):
                    raise

    def _spawn(self, argv, log_path, env=None, **kw):
        with _CriticalSection(), open(log_path, "ab") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True, **kw)
            if self not in _daemons:
                _daemons.append(self)
                at_cleanup(self.stop)

    def _wait(self, ready, what):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError("%s exited with status %s before %s:\n%s"
                                 % (self.name, self.proc.returncode, what,
                                    self._log_tails()))
            if ready():
                return
            time.sleep(0.05)
        raise StartError("%s did not %s within %.0f s:\n%s"
                         % (self.name, what, START_TIMEOUT, self._log_tails()))

    def _terminate(self, sig=signal.SIGTERM):
        """Signals the main process and waits for it; SIGKILLs its process
        group if it does not exit in time. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except OSError:
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                diag("%s did not stop within %.0f s: SIGKILL" % (self.name, STOP_TIMEOUT))
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                self.proc.wait()
        return self.proc.returncode

    def _reap_strays(self, marker):
        """Waits briefly for children to go, then records and kills any
        process still running from our directory."""
        marker = os.path.join(marker, "")     # "dir/", not "dir-10"
        deadline = time.monotonic() + 5
        left = processes_matching(marker)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = processes_matching(marker)
        if left:
            diag("%s left processes behind: %s" % (self.name, left))
            self.strays.extend(left)
            kill_processes(left)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def error_log_text(self):
        """Everything the server (and the responder under it) logged."""
        parts = []
        for path in self.logs:
            try:
                with open(path, "rb") as f:
                    parts.append(f.read().decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(parts)

    def sanitizer_reports(self):
        return sanitizer_reports(self.error_log_text())

    def _log_tails(self):
        return "\n".join("--- %s\n%s" % (p, _tail(p)) for p in self.logs)

    def dump_logs(self):
        if self.logs:
            diag("%s logs (last lines):" % self.name)
            diag(self._log_tails())

    def stop(self):
        raise NotImplementedError


def check_sanitizers(daemon, name=None):
    """A test: no sanitizer report in the daemon's logs."""
    reports = daemon.sanitizer_reports()
    return ok(not reports, name or "no sanitizer reports in the %s logs" % daemon.name,
              diag="\n".join(reports[:40]))


def run(argv, input=None, timeout=120, env=None, **kw):
    """Runs a command; returns (rc, stdout, stderr) as text. The command is
    killed if it runs longer than timeout seconds (StartError) or if the
    test is interrupted."""
    try:
        with _CriticalSection():
            p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None
                                 else subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 errors="backslashreplace", env=env, **kw)
    except FileNotFoundError as e:
        raise StartError("cannot run %s: %s" % (argv[0], e))
    try:
        out, err = p.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise StartError("%s did not finish within %s s" % (" ".join(argv), timeout))
    except BaseException:
        p.kill()
        p.wait()
        raise
    return p.returncode, out, err


# ---------------------------------------------------------------------------
# MariaDB

class MariaDB(_Daemon):
    """A private MariaDB server in workdir(), on a unix socket and a loopback
    TCP port, with a database and a user for llmops (random password)."""

    name = "MariaDB"

    def __init__(self, database="llmops", user="llmops", server_args=()):
        super().__init__()
        self.database = database
        self.user = user
        self.password = secrets.token_hex(16)
        self.server_args = list(server_args)
        self.dir = unique_dir("mariadb")
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        self.tmpdir = os.path.join(self.dir, "tmp")
        self.pidfile = os.path.join(self.dir, "mysqld.pid")
        self.errlog = os.path.join(self.dir, "error.log")
        self.host = "127.0.0.1"
        self.port = None
        self._provisioned = False
        self.logs = [self.errlog, os.path.join(self.dir, "stderr.log")]

    def _client(self, prog, *args):
        # Without defaults files the clients would talk latin1.
        return [find_program(prog, prog.replace("mariadb", "mysql")),
                "--no-defaults", "--socket=" + self.socket, "--user=root",
                "--default-character-set=utf8mb4"] + list(args)

    def _install(self):
        # A private tmpdir: a server starting in a shared /tmp removes the
        # "#sql" temporary files of another one still bootstrapping.
        make_dir(self.tmpdir)
        argv = [find_program("mariadb-install-db", "mysql_install_db"),
                "--no-defaults", "--datadir=" + self.datadir,
                "--tmpdir=" + self.tmpdir,
                "--auth-root-authentication-method=normal", "--skip-test-db"]
        if IS_ROOT:
            argv.append("--user=root")
        rc, out, err = run(argv, timeout=180)
        if rc != 0:
            raise StartError("mariadb-install-db failed (%d):\n%s%s" % (rc, out, err))

    def _ping(self):
        if not os.path.exists(self.socket):
            return False
        rc, _, _ = run(self._client("mariadb-admin", "--connect-timeout=2", "ping"),
                       timeout=10)
        return rc == 0

    def start(self):
        """Starts the server (installing a datadir the first time) and waits
        until it answers."""
        if self.running():
            return self
        # Every program first: none missing is found halfway through.
        server = find_program("mariadbd", "mysqld")
        for prog in ("mariadb-admin", "mariadb"):
            self._client(prog)
        if not os.path.isdir(os.path.join(self.datadir, "mysql")):
            self._install()
        fixed_port = self.port is not None
        for attempt in range(3):
            if not fixed_port:
                self.port = free_port()
            argv = [server, "--no-defaults",
                    "--datadir=" + self.datadir, "--socket=" + self.socket,
                    "--tmpdir=" + self.tmpdir,
                    "--port=%d" % self.port, "--bind-address=127.0.0.1",
                    "--pid-file=" + self.pidfile, "--log-error=" + self.errlog,
                    "--skip-name-resolve", "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci"]
            if IS_ROOT:
                argv.append("--user=root")
            argv += self.server_args
            self._spawn(argv, self.logs[1])
            try:
                self._wait(self._ping, "answered a ping")
                break
            except StartError as e:
                self._terminate(signal.SIGKILL)
                if fixed_port or attempt == 2 or "already in use" not in str(e):
                    raise
        if not self._provisioned:
            pw = self.password
            self.sql(
                "CREATE DATABASE IF NOT EXISTS `{db}` CHARACTER SET utf8mb4 "
                "COLLATE utf8mb4_unicode_ci;\n"
                "CREATE USER IF NOT EXISTS '{u}'@'localhost' IDENTIFIED BY '{pw}';\n"
                "CREATE USER IF NOT EXISTS '{u}'@'127.0.0.1' IDENTIFIED BY '{pw}';\n"
                "GRANT ALL ON `{db}`.* TO '{u}'@'localhost';\n"
                "GRANT ALL ON `{db}`.* TO '{u}'@'127.0.0.1';\n"
                .format(db=self.database, u=self.user, pw=pw), db="")
            self._provisioned = True
        return self

    def sql(self, query, db=None):
        """Runs query (one or more statements) as root in db (default: the
        llmops database; "" for none); returns the rows of the last result
        set as a list of tuples of str, None for NULL."""
        args = ["--xml", "--batch"]
        db = self.database if db is None else db
        if db:
            args.append("--database=" + db)
        rc, out, err = run(self._client("mariadb", *args), input=query, timeout=120)
        if rc != 0:
            raise MariaDBError("SQL failed: %s\nquery: %s" % (err.strip(), query))
        return _parse_xml_rows(out)

    def dump(self):
        """mysqldump text of the database (without the dump date, so two
        dumps of the same data compare equal)."""
        rc, out, err = run(self._client("mariadb-dump", "--skip-dump-date",
                                        "--single-transaction", "--routines",
                                        "--triggers", self.database), timeout=300)
        if rc != 0:
            raise MariaDBError("mariadb-dump failed: %s" % err.strip())
        return out

    def stop(self):
        """Clean shutdown by pid (SIGTERM), waiting for the exit."""
        self._terminate(signal.SIGTERM)

    def kill(self):
        """Crash: SIGKILL, no shutdown."""
        self._terminate(signal.SIGKILL)

    def restart(self):
        """stop() and start() on the same datadir, socket and port."""
        self.stop()
        return self.start()


def _parse_xml_rows(text):
    nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
    rows = []
    for doc in re.split(r"(?=<\?xml )", text):
        if not doc.strip():
            continue
        root = ET.fromstring(doc)
        rows = []
        for row in root.iter("row"):
            rows.append(tuple(None if f.get(nil) == "true" else (f.text or "")
                              for f in row.iter("field")))
    return rows


def write_conf(path, mariadb, via="socket", extra="", db_extra=""):
    """Writes an llmops.conf for mariadb at path, the password in
    path + '.password' (0640, group www-data when root, as the sample
    configuration recommends). via: "socket" or "tcp". extra is appended at
    the top level, db_extra inside the database group. Returns path."""
    pwfile = path + ".password"
    with open(pwfile, "w") as f:
        f.write(mariadb.password + "\n")
    os.chmod(pwfile, 0o640)
    ids = web_ids()
    if ids:
        os.chown(pwfile, 0, ids[1])
    if via == "socket":
        where = '  socket = "%s";\n' % mariadb.socket
    elif via == "tcp":
        where = '  host = "%s";\n  port = %d;\n' % (mariadb.host, mariadb.port)
    else:
        raise ValueError("via must be socket or tcp")
    if not re.search(r"^spool\s*=", extra, re.M):
        # Each configuration its own spool, owned by the web server user.
        spool = path + ".spool"
        os.makedirs(spool, mode=0o750, exist_ok=True)
        os.chmod(spool, 0o750)
        if ids:
            os.chown(spool, ids[0], ids[1])
        extra = 'spool = {\n  dir = "%s";\n};\n%s' % (spool, extra)
    text = ("# llmops.conf written by tests/harness.py\n"
            "database = {\n%s"
            '  user = "%s";\n'
            '  password_file = "%s";\n'
            '  name = "%s";\n'
            "%s"
            "};\n%s\n") % (where, mariadb.user, pwfile, mariadb.database,
                           db_extra, extra)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


# ---------------------------------------------------------------------------
# The responder and the web servers

def responder_path():
    path = os.path.join(BUILDDIR, "fcgi", "llmops.fcgi")
    if not os.access(path, os.X_OK):
        raise StartError("%s not found: build first (make)" % path)
    return path


def install_responder(directory):
    """Copies the built responder into directory/bin (world-readable), so the
    web server user can run it whatever the permissions of the build tree."""
    bindir = make_dir(os.path.join(directory, "bin"))
    dest = os.path.join(bindir, "llmops.fcgi")
    # Copied beside it, then renamed over it: a responder of a server
    # stopped a moment ago may still be running the old file (a loader
    # thread finishing its turn), and writing into it would fail with
    # "Text file busy".
    shutil.copy2(responder_path(), dest + ".new")
    os.chmod(dest + ".new", 0o755)
    os.replace(dest + ".new", dest)
    return dest


def install_errors(directory):
    """Copies etc/errors (the web servers' JSON error documents) into
    directory/errors, world-readable, as `make install` puts them in
    $(datadir)/llmops/errors."""
    dest = make_dir(os.path.join(directory, "errors"))
    src = os.path.join(SRCDIR, "etc", "errors")
    for name in sorted(os.listdir(src)):
        shutil.copy(os.path.join(src, name), os.path.join(dest, name))
        os.chmod(os.path.join(dest, name), 0o644)
    return dest


def _responder_env(env):
    merged = {k: os.environ[k] for k in _PASS_ENV if k in os.environ}
    merged.update(env or {})
    return merged


def _read_snippet(relpath):
    path = os.path.join(SRCDIR, relpath)
    with open(path) as f:
        return f.read()


def _replace(text, old, new, what):
    if old not in text:
        raise StartError("%s no longer contains %r; update tests/harness.py" % (what, old))
    return text.replace(old, new)


def _set_directive(text, directive, value):
    """Sets an Apache directive line (replacing it, or appending it)."""
    pat = re.compile(r"^([ \t]*)%s[ \t]+.*$" % re.escape(directive), re.M)
    if pat.search(text):
        return pat.sub(lambda m: "%s%s %s" % (m.group(1), directive, value), text)
    return text + "\n%s %s\n" % (directive, value)


class Lighttpd(_Daemon):
    """lighttpd 1.4 on 127.0.0.1 running the responder with mod_fastcgi, its
    configuration built from etc/lighttpd-llmops.conf like Debian's
    lighttpd.conf includes conf-enabled/*.conf."""

    name = "lighttpd"
    SNIPPET = "etc/lighttpd-llmops.conf"

    def __init__(self, conf, max_procs=None, env=None, extra=""):
        super().__init__()
        self.conf = conf
        self.max_procs = max_procs
        self.env = _responder_env(dict(env or {}))
        self.extra = extra
        self.port = None
        self.dir = unique_dir("lighttpd")
        logdir = make_dir(os.path.join(self.dir, "log"), owner_web=True)
        self.logs = [os.path.join(logdir, n) for n in ("error.log", "breakage.log", "stderr.log")]

    def _config(self):
        d = self.dir
        rundir = make_dir(os.path.join(d, "run"), owner_web=True)
        updir = make_dir(os.path.join(d, "upload"), owner_web=True)
        docroot = make_dir(os.path.join(d, "htdocs"))
        binpath = install_responder(d)
        snip = _read_snippet(self.SNIPPET)
        what = self.SNIPPET
        snip = _replace(snip, SNIPPET_RESPONDER, binpath, what)
        snip = _replace(snip, SNIPPET_CONF, self.conf, what)
        snip = _replace(snip, SNIPPET_LIGHTTPD_SOCKET, os.path.join(rundir, "llmops.sock"), what)
        snip = _replace(snip, SNIPPET_ERRORS, install_errors(d), what)
        if self.max_procs is not None:
            snip, n = re.subn(r'"max-procs"\s*=>\s*\d+', '"max-procs" => %d' % self.max_procs, snip)
            if n != 1:
                raise StartError("%s: no single max-procs setting" % what)
        if self.env:
            lines = "".join('      "%s" => "%s",\n' % kv for kv in sorted(self.env.items()))
            snip, n = re.subn(r'("bin-environment"\s*=>\s*\(\n)', lambda m: m.group(1) + lines, snip)
            if n != 1:
                raise StartError("%s: no bin-environment block" % what)
        snippath = os.path.join(d, "50-llmops.conf")
        with open(snippath, "w") as f:
            f.write(snip)
        user = ""
        if IS_ROOT:
            user = 'server.username = "%s"\nserver.groupname = "%s"\n' % (WEB_USER, WEB_USER)
        # Debian's lighttpd.conf takes its MIME types from /etc/mime.types,
        # before conf-enabled/: the snippet adds to them.
        mime = ""
        if os.path.exists(CREATE_MIME):
            mime = 'include_shell "%s"' % CREATE_MIME
        # Mirrors Debian's /etc/lighttpd/lighttpd.conf and 10-fastcgi.conf.
        main = """# written by tests/harness.py
server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.modules += ( "mod_fastcgi" )
server.document-root = "{docroot}"
server.upload-dirs = ( "{updir}" )
server.errorlog = "{log0}"
server.breakagelog = "{log1}"
server.pid-file = "{rundir}/lighttpd.pid"
{user}server.bind = "127.0.0.1"
server.port = {port}
server.http-parseopts = (
  "header-strict" => "enable", "host-strict" => "enable",
  "host-normalize" => "enable", "url-normalize-unreserved" => "enable",
  "url-normalize-required" => "enable", "url-ctrls-reject" => "enable",
  "url-path-2f-decode" => "enable", "url-path-dotseg-remove" => "enable",
)
index-file.names = ( "index.html" )
url.access-deny = ( "~", ".inc" )
static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )
{mime}
include "{snippath}"
server.modules += ( "mod_dirlisting", "mod_staticfile" )
{extra}
""".format(docroot=docroot, updir=updir, log0=self.logs[0], log1=self.logs[1],
           rundir=rundir, user=user, port=self.port, snippath=snippath,
           extra=self.extra, mime=mime)
        path = os.path.join(d, "lighttpd.conf")
        with open(path, "w") as f:
            f.write(main)
        return path

    def start(self):
        """Starts lighttpd and waits until its port answers."""
        prog = find_program("lighttpd")
        return self._start_on_free_port(
            lambda path: [prog, "-tt", "-f", path],
            lambda path: [prog, "-D", "-f", path], self.logs[2],
            "already in use")

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        """SIGTERM; lighttpd stops its responders with SIGTERM."""
        if self.proc is None:
            return
        self._terminate(signal.SIGTERM)
        self._reap_strays(self.dir)
        self.proc = None


class Responder(_Daemon):
    """llmops.fcgi --listen as etc/llmops-fcgi.service runs it: its ExecStart
    (paths replaced), User, Group and UMask, with the ExecStartPre check
    first. Its stderr stands in for the journal."""

    name = "llmops.fcgi --listen"
    UNIT = "etc/llmops-fcgi.service"

    def __init__(self, conf, workers=None, tcp=False, env=None):
        super().__init__()
        self.conf = conf
        self.workers = workers
        self.tcp = tcp
        self.env = _responder_env(env)
        self.dir = unique_dir("responder")
        self.logs = [os.path.join(self.dir, "journal.log")]
        self.socket = None
        self.port = None

    def _unit(self):
        keys = {}
        for line in _read_snippet(self.UNIT).splitlines():
            m = re.match(r"^(\w+)=(.*)$", line.strip())
            if m:
                keys.setdefault(m.group(1), m.group(2))
        for k in ("ExecStart", "ExecStartPre", "User", "Group", "UMask"):
            if k not in keys:
                raise StartError("%s has no %s=" % (self.UNIT, k))
        return keys

    def _argv(self, cmdline, binpath):
        argv = shlex.split(cmdline)
        out = []
        for a in argv:
            a = a.replace(SNIPPET_RESPONDER, binpath).replace(SNIPPET_CONF, self.conf)
            if a == SNIPPET_PROXY_SOCKET:
                a = ("127.0.0.1:%d" % self.port) if self.tcp else self.socket
            out.append(a)
        if self.workers is not None and "--workers" in out:
            out[out.index("--workers") + 1] = str(self.workers)
        return out

    def start(self):
        unit = self._unit()
        binpath = install_responder(self.dir)
        # RuntimeDirectory=llmops with RuntimeDirectoryMode=0750.
        rundir = make_dir(os.path.join(self.dir, "run"), owner_web=True, mode=0o750)
        self.socket = os.path.join(rundir, "llmops.sock")
        kw = {"umask": int(unit["UMask"], 8)}
        if IS_ROOT:
            kw.update(user=unit["User"], group=unit["Group"], extra_groups=[])
        env = dict(os.environ)
        env.update(self.env)
        for attempt in range(3):
            self.port = free_port()
            pre = self._argv(unit["ExecStartPre"], binpath)
            rc, out, err = run(pre, env=env, **kw)
            if rc != 0:
                raise StartError("ExecStartPre %s failed (%d): %s%s" % (pre, rc, out, err))
            self._spawn(self._argv(unit["ExecStart"], binpath), self.logs[0], env=env, **kw)
            ready = ((lambda: port_answers(self.port)) if self.tcp
                     else (lambda: unix_socket_answers(self.socket)))
            try:
                self._wait(ready, "listened")
                return self
            except StartError as e:
                self._terminate(signal.SIGKILL)
                if attempt == 2 or not self.tcp:
                    raise

    def address(self):
        """What mod_proxy_fcgi's ProxyPass names."""
        if self.tcp:
            return "fcgi://127.0.0.1:%d/" % self.port
        return "unix:%s|fcgi://llmops/" % self.socket

    def stop(self):
        """SIGTERM to the manager (KillMode=mixed); it stops the workers."""
        if self.proc is None:
            return
        self._terminate(signal.SIGTERM)
        self._reap_strays(self.dir)
        self.proc = None


class Apache(_Daemon):
    """Apache 2.4 on 127.0.0.1 with a configuration built from the etc/
    snippet, included into a minimal main configuration that mirrors Debian's
    apache2.conf (<Directory /> denied, User www-data).

    mode "fcgid": etc/apache-llmops.conf, mod_fcgid runs the responder.
    mode "proxy_fcgi": etc/apache-llmops-proxy-fcgi.conf in front of a
    started Responder (pass it as responder=).
    overrides: {directive: value} set in the snippet (e.g. process limits);
    modules: more modules to load (e.g. ["rewrite"]); vhost: serve through a
    catch-all <VirtualHost> like Debian's 000-default site."""

    name = "Apache"
    SNIPPETS = {"fcgid": "etc/apache-llmops.conf",
                "proxy_fcgi": "etc/apache-llmops-proxy-fcgi.conf"}

    def __init__(self, conf=None, mode="fcgid", responder=None, overrides=None,
                 env=None, extra="", modules=(), vhost=True):
        super().__init__()
        if mode not in self.SNIPPETS:
            raise ValueError("mode: fcgid or proxy_fcgi")
        if mode == "fcgid" and conf is None:
            raise ValueError("mode fcgid needs conf")
        if mode == "proxy_fcgi" and responder is None:
            raise ValueError("mode proxy_fcgi needs a responder")
        self.conf = conf
        self.mode = mode
        self.responder = responder
        self.overrides = dict(overrides or {})
        self.env = _responder_env(env)
        self.extra = extra
        self.modules = list(modules)
        self.vhost = vhost
        self.port = None
        self.name = "Apache (%s)" % mode
        self.dir = unique_dir("apache-" + mode.replace("_", "-"))
        logdir = make_dir(os.path.join(self.dir, "log"))
        self.logs = [os.path.join(logdir, n) for n in ("error.log", "stderr.log")]

    def _snippet(self):
        what = self.SNIPPETS[self.mode]
        snip = _read_snippet(what)
        if self.mode == "fcgid":
            binpath = install_responder(self.dir)
            snip = _replace(snip, SNIPPET_RESPONDER, binpath, what)
            snip = _replace(snip, SNIPPET_RESPONDER_DIR, os.path.dirname(binpath), what)
            snip = _replace(snip, SNIPPET_CONF, self.conf, what)
            snip = _replace(snip, SNIPPET_ERRORS, install_errors(self.dir), what)
            for k, v in sorted(self.env.items()):
                snip += "\nFcgidInitialEnv %s %s\n" % (k, v)
        else:
            snip = _replace(snip, "unix:%s|fcgi://llmops/" % SNIPPET_PROXY_SOCKET,
                            self.responder.address(), what)
            snip = _replace(snip, SNIPPET_ERRORS, install_errors(self.dir), what)
        for k, v in sorted(self.overrides.items()):
            snip = _set_directive(snip, k, v)
        return snip

    def _config(self):
        d = self.dir
        rundir = make_dir(os.path.join(d, "run"))
        docroot = make_dir(os.path.join(d, "htdocs"))
        snippath = os.path.join(d, "llmops.conf")
        with open(snippath, "w") as f:
            f.write(self._snippet())
        mods = "/usr/lib/apache2/modules"
        # Debian enables alias, env and reqtimeout by default.
        load = ["mpm_event", "authz_core", "alias", "env", "reqtimeout"]
        if self.mode == "fcgid":
            load += ["fcgid"]
        else:
            load += ["proxy", "proxy_fcgi"]
        load += [m for m in self.modules if m not in load]
        for m in load:
            path = "%s/mod_%s.so" % (mods, m)
            if not os.path.exists(path):
                raise NotInstalled("%s not found (Debian: %s)" % (
                    path, "libapache2-mod-fcgid" if m == "fcgid" else "apache2"))
        lines = ["# written by tests/harness.py",
                 "ServerRoot %s" % d,
                 "ServerName 127.0.0.1",
                 "Listen 127.0.0.1:%d" % self.port,
                 "PidFile %s/apache2.pid" % rundir,
                 "DefaultRuntimeDir %s" % rundir,
                 "ErrorLog %s" % self.logs[0],
                 "LogLevel warn" + (" fcgid:info" if self.mode == "fcgid" else ""),
                 'LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" common',
                 "CustomLog %s/log/access.log common" % d]
        lines += ["LoadModule %s_module %s/mod_%s.so" % (m, mods, m) for m in load]
        if IS_ROOT:
            lines += ["User %s" % WEB_USER, "Group %s" % WEB_USER]
        # Debian's mods-available/mpm_event.conf.
        lines += ["StartServers 2", "MinSpareThreads 25", "MaxSpareThreads 75",
                  "ThreadLimit 64", "ThreadsPerChild 25",
                  "MaxRequestWorkers 150", "MaxConnectionsPerChild 0"]
        lines += ["<Directory />", "    Options FollowSymLinks", "    AllowOverride None",
                  "    Require all denied", "</Directory>",
                  "DocumentRoot %s" % docroot]
        if self.mode == "fcgid":
            # Debian: mods-available/fcgid.conf, and the IPC directory
            # mod_fcgid makes itself (and hands to User).
            lines += ["FcgidConnectTimeout 20",
                      "FcgidIPCDir %s/fcgid" % d,
                      "FcgidProcessTableFile %s/fcgid-shm" % rundir]
        lines += ["Include %s" % snippath]
        if self.vhost:
            # Like Debian's sites-enabled/000-default.conf: the request is
            # served by a virtual host, which must inherit the snippet.
            lines += ["<VirtualHost *:%d>" % self.port,
                      "    ServerName localhost",
                      "    DocumentRoot %s" % docroot,
                      "</VirtualHost>"]
        lines += [self.extra, ""]
        path = os.path.join(d, "apache2.conf")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def start(self):
        """Checks the configuration (apache2 -t), starts Apache in the
        foreground and waits until its port answers."""
        prog = find_program("apache2", "httpd")
        return self._start_on_free_port(
            lambda path: [prog, "-t", "-f", path],
            lambda path: [prog, "-f", path, "-DFOREGROUND"], self.logs[1],
            "in use")

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        """SIGTERM to the parent; mod_fcgid's process manager stops the
        responders."""
        if self.proc is None:
            return
        self._terminate(signal.SIGTERM)
        self._reap_strays(self.dir)
        self.proc = None


# ---------------------------------------------------------------------------
# HTTP

def http(method, url, body=None, headers=None, timeout=60, chunked=False):
    """One request on a new connection. Returns (status, headers with
    lower-case names, body bytes). chunked sends the body with
    Transfer-Encoding: chunked instead of Content-Length."""
    u = urllib.parse.urlsplit(url)
    path = (u.path or "/") + ("?" + u.query if u.query else "")
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn = httpclient.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
    try:
        try:
            if chunked:
                conn.request(method, path, body=iter([body or b""]),
                             headers=dict(headers or {}), encode_chunked=True)
            else:
                conn.request(method, path, body=body, headers=dict(headers or {}))
        except (BrokenPipeError, ConnectionResetError):
            # The server answered (e.g. 413) before reading the whole body.
            pass
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def raw_http(port, data, timeout=30, host="127.0.0.1"):
    """Sends data (bytes, any framing, however broken) on a new connection
    and reads the answer: (status, headers with lower-case names, body
    bytes), or (None, {}, b"") if the server closed the connection without
    one, or in the middle of it (Apache's mod_proxy_fcgi does that when
    the request's own body never came whole and its timeout expires after
    the responder's answer had begun)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = httpclient.HTTPResponse(sock, method="POST")
        try:
            resp.begin()
        except (httpclient.RemoteDisconnected, ConnectionResetError):
            return None, {}, b""
        try:
            body = resp.read()
        except (httpclient.IncompleteRead, ConnectionResetError):
            return None, {}, b""
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        sock.close()


_NO_BODY = object()


def http_json(method, url, obj=_NO_BODY, headers=None, body=None, **kw):
    """http() with obj sent as JSON (Content-Type application/json) and the
    answer parsed: (status, headers, parsed JSON or None if it is not JSON)."""
    headers = dict(headers or {})
    if obj is not _NO_BODY:
        body = json.dumps(obj)
        headers.setdefault("Content-Type", "application/json")
    status, hdrs, data = http(method, url, body=body, headers=headers, **kw)
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        parsed = None
    return status, hdrs, parsed


# ---------------------------------------------------------------------------
# llmopsctl

def llmopsctl_path():
    path = os.path.join(BUILDDIR, "cli", "llmopsctl")
    if not os.access(path, os.X_OK):
        raise StartError("%s not found: build first (make)" % path)
    return path


def spool_drain(conf):
    """llmopsctl spool drain: once it returns 0, the database holds every
    event the callbacks acknowledged (the responders load right after
    answering, on their own time). Returns its exit status."""
    rc, out, err = llmopsctl(conf, "spool", "drain")
    if rc != 0:
        diag("llmopsctl spool drain: %s" % err.strip())
    return rc


def llmopsctl(conf, *args, input=None, timeout=120):
    """Runs llmopsctl -c conf ARGS (migrations from the source tree);
    returns (rc, stdout, stderr)."""
    env = dict(os.environ)
    env["LLMOPS_SCHEMA_DIR"] = os.path.join(SRCDIR, "schema")
    return run([llmopsctl_path(), "-c", conf] + [str(a) for a in args],
               input=input, timeout=timeout, env=env)


def _ctl_or_fail(conf, *args):
    rc, out, err = llmopsctl(conf, *args)
    if rc != 0:
        raise StartError("llmopsctl %s failed (%d): %s%s"
                         % (" ".join(map(str, args)), rc, out, err))
    return out


def migrate(conf):
    """llmopsctl migrate; StartError if it fails."""
    return _ctl_or_fail(conf, "migrate")


def create_org(conf, name):
    return _ctl_or_fail(conf, "org", "create", name)


def create_token(conf, org, label=None):
    """llmopsctl token create; returns the new token (trk_...)."""
    args = ["token", "create", org] + (["--label", label] if label else [])
    lines = _ctl_or_fail(conf, *args).strip().splitlines()
    if not lines or not lines[-1].startswith("trk_"):
        raise StartError("token create printed no token: %r" % lines)
    return lines[-1].strip()


def add_user(conf, org, email, role="viewer", password=None):
    """llmopsctl user add ORG EMAIL --role ROLE with password on stdin (a
    random one when None). Returns the password."""
    if password is None:
        password = "pw-" + secrets.token_hex(12)
    rc, out, err = llmopsctl(conf, "user", "add", org, email, "--role", role,
                             "--password-stdin", input=password + "\n")
    if rc != 0:
        raise StartError("user add %s %s failed (%d): %s%s"
                         % (org, email, rc, out, err))
    return password


def create_apikey(conf, org, label=None):
    """llmopsctl apikey create; returns the key (llk_...)."""
    args = ["apikey", "create", org] + (["--label", label] if label else [])
    lines = _ctl_or_fail(conf, *args).strip().splitlines()
    if not lines or not lines[-1].startswith("llk_"):
        raise StartError("apikey create printed no key: %r" % lines)
    return lines[-1].strip()


def hidden_input(page, name):
    """The value of <input type="hidden" name=NAME value=...> in page (text),
    HTML entities decoded; None when absent."""
    m = re.search(r'<input type="hidden" name="%s" value="([^"]*)"'
                  % re.escape(name), page)
    return html_unescape(m.group(1)) if m else None


def html_unescape(text):
    return htmllib.unescape(text)


class WebClient:
    """A browser of the dashboard: keeps the cookies the server sets (by
    name; no attributes honoured beyond Max-Age=0 removing one), sends them
    back, and sends an Origin header with every POST, as browsers do.

    get()/post() return (status, headers with lower-case names, body text);
    set_cookies holds the raw Set-Cookie values of the last answer."""

    def __init__(self, base_url):
        self.base = base_url.rstrip("/")
        u = urllib.parse.urlsplit(self.base)
        self.origin = "%s://%s" % (u.scheme, u.netloc)
        self.cookies = {}
        self.set_cookies = []

    def request(self, method, path, form=None, headers=None, origin=True,
                timeout=60):
        u = urllib.parse.urlsplit(self.base + path)
        target = (u.path or "/") + ("?" + u.query if u.query else "")
        hdrs = {}
        if self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if method == "POST":
            if origin:
                hdrs["Origin"] = self.origin if origin is True else origin
            body = urllib.parse.urlencode(form or {}).encode("ascii")
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        hdrs.update(headers or {})
        conn = httpclient.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
        try:
            conn.request(method, target, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            raw = resp.getheaders()
        finally:
            conn.close()
        self.set_cookies = [v for k, v in raw if k.lower() == "set-cookie"]
        for sc in self.set_cookies:
            name, _, rest = sc.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r";\s*Max-Age=0\b", sc, re.I) or value == "":
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return (resp.status, {k.lower(): v for k, v in raw},
                data.decode("utf-8", "replace"))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, form=None, **kw):
        return self.request("POST", path, form=form, **kw)

    def login(self, email, password, origin=True):
        """Fetches the login form and posts it. Returns (status, headers,
        body) of the POST: 303 to / (or /account/password) when it worked."""
        status, _, page = self.get("/login")
        if status != 200:
            raise StartError("GET /login answered %d: %s" % (status, page[:300]))
        token = hidden_input(page, "login_token")
        if token is None:
            raise StartError("the login form has no login_token")
        return self.post("/login", {"email": email, "password": password,
                                    "login_token": token}, origin=origin)

    def csrf(self, path="/"):
        """The CSRF token in the forms of page path (None when absent)."""
        _, _, page = self.get(path)
        return hidden_input(page, "csrf")

    def logout(self):
        return self.post("/logout", {"csrf": self.csrf("/") or ""})


# ---------------------------------------------------------------------------
# Whole stacks

def make_session_secret(path):
    """llmopsctl secret generate path: 0640, group www-data when root, as
    the sample configuration recommends. Returns path."""
    rc, out, err = run([llmopsctl_path(), "secret", "generate", path])
    if rc != 0:
        raise StartError("llmopsctl secret generate failed (%d): %s%s"
                         % (rc, out, err))
    ids = web_ids()
    if ids:
        os.chown(path, 0, ids[1])
    return path


class Stack:
    """MariaDB + llmops.conf + migrations + a web server running the
    responder. server: "lighttpd", "apache" (mod_fcgid) or "apache-proxy"
    (mod_proxy_fcgi + llmops.fcgi --listen). An already started MariaDB can
    be shared between stacks (db=). web_conf: the settings of the web
    section (a session secret is generated and named in it unless
    session_secret is False)."""

    def __init__(self, server="lighttpd", db=None, via="socket", conf_extra="",
                 session_secret=True, web_conf="", **server_kw):
        self.server_kind = server
        self.db = db
        self.via = via
        self.conf_extra = conf_extra
        self.session_secret = session_secret
        self.web_conf = web_conf
        self.server_kw = server_kw
        self.conf = None
        self.secret_file = None
        self.web = None
        self.responder = None

    def start(self):
        if self.db is None:
            self.db = MariaDB()
        self.db.start()
        confdir = unique_dir("conf")
        extra = self.conf_extra
        web = self.web_conf
        if self.session_secret:
            self.secret_file = make_session_secret(
                os.path.join(confdir, "session.key"))
            web = 'session_secret_file = "%s";\n%s' % (self.secret_file, web)
        if web:
            extra = "web = {\n%s\n};\n%s" % (web, extra)
        self.conf = write_conf(os.path.join(confdir, "llmops.conf"), self.db,
                               via=self.via, extra=extra)
        migrate(self.conf)
        if self.server_kind == "lighttpd":
            self.web = Lighttpd(self.conf, **self.server_kw).start()
        elif self.server_kind == "apache":
            self.web = Apache(self.conf, **self.server_kw).start()
        elif self.server_kind == "apache-proxy":
            self.responder = Responder(self.conf).start()
            self.web = Apache(mode="proxy_fcgi", responder=self.responder,
                              **self.server_kw).start()
        else:
            raise ValueError("server: lighttpd, apache or apache-proxy")
        return self

    def url(self, path="/"):
        return self.web.url(path)

    def daemons(self):
        return [d for d in (self.web, self.responder) if d is not None]

    def error_log_text(self):
        return "\n".join(d.error_log_text() for d in self.daemons())

    def sanitizer_reports(self):
        return sanitizer_reports(self.error_log_text())

    def client(self):
        """A new WebClient of this stack's web server."""
        return WebClient(self.url("/"))

    def token(self, org="test", label=None):
        """Creates org if needed and returns a new token of it."""
        rc, out, err = llmopsctl(self.conf, "org", "list", "--format", "json")
        names = []
        if rc == 0:
            try:
                names = [o.get("name") for o in json.loads(out)]
            except (ValueError, AttributeError):
                names = []
        if org not in names:
            create_org(self.conf, org)
        return create_token(self.conf, org, label)

    def stop(self):
        for d in (self.web, self.responder):
            if d is not None:
                d.stop()


def start_all(server="lighttpd", **kw):
    """A started Stack; everything stops when the test ends."""
    return Stack(server, **kw).start()
