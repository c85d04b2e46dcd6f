# shellcheck shell=bash disable=SC2154  # $tool and $repo come from the sourcing script
# tools/lib.sh: shell functions shared by tools/stack, tools/check and
# tools/fresh-check (sourced, not run). The sourcing script sets $tool (its
# name, for messages) and $repo (the repository's root) first.
#
#   say MSG / die MSG         a line on stdout / stderr (and exit 1)
#   install_packages PKG...   apt-get install what is missing (root only)
#   configure_build DIR ARGS  an out-of-tree build directory configured with
#                             exactly ARGS
#   asan_symbols FILE         how many AddressSanitizer symbols FILE refers to

# Programs in /usr/sbin are not in a normal user's PATH on Debian.
PATH=$PATH:/usr/sbin:/sbin
export PATH

say() { printf '%s: %s\n' "$tool" "$*"; }
die() { printf '%s: %s\n' "$tool" "$*" >&2; exit 1; }

# What starts at boot: systemd units wanted by a target (getty@tty1.service,
# lighttpd.service, remote-fs.target) and SysV scripts with a start link
# (lighttpd), one per line, sorted.
enabled_at_boot() {
	{
		find /etc/systemd/system -path '*.wants/*' -printf '%f\n'
		find /etc/rc[2-5].d -name 'S[0-9][0-9]*' -printf '%f\n' |
			sed 's/^S[0-9][0-9]//'
	} 2>/dev/null | sort -u
}

# Packages enable their services at boot (Debian's policy). The ones this
# run installed are only for the private servers the tools start
# themselves, so whatever the install enabled is disabled again: after a
# reboot, Debian's own MariaDB, lighttpd and Apache would otherwise start,
# and both web servers would fight for port 80. What was enabled before is
# never touched. $1 lists what was enabled before the install, $2 after.
disable_new_at_boot() {
	local name disabled=""
	for name in $(comm -13 "$1" "$2"); do
		case $name in
		*.*)	# a systemd unit; deb-systemd-helper also keeps package
			# upgrades from enabling it again
			deb-systemd-helper disable "$name" >/dev/null 2>&1 || true
			if grep -qx "$name" <(enabled_at_boot) && command -v systemctl >/dev/null; then
				systemctl disable --quiet "$name" >/dev/null 2>&1 || true
			fi ;;
		*)	update-rc.d "$name" disable >/dev/null 2>&1 || true ;;
		esac
		grep -qx "$name" <(enabled_at_boot) && die "cannot disable $name at boot"
		disabled="$disabled $name"
	done
	[ -z "$disabled" ] && return 0
	say "installed for private use only, so disabled at boot again:$disabled"
	say "  (to run one as a system service: systemctl enable --now NAME)"
}

# Installs the packages of the list that are missing, when root; as a normal
# user only names them. policy-rc.d keeps the packages' own services
# (MariaDB, Apache and lighttpd on port 80) from starting during the
# install: the tools run private ones.
install_packages() {
	local missing="" p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing Debian packages:$missing (as root: apt-get install$missing)"
	fi
	say "installing:$missing"
	local policy=/usr/sbin/policy-rc.d own_policy="" before after rc=0
	before=$(mktemp)
	after=$(mktemp)
	enabled_at_boot >"$before"
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 0755 "$policy"
		own_policy=1
	fi
	# shellcheck disable=SC2086  # word splitting of the list is wanted
	DEBIAN_FRONTEND=noninteractive apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing || rc=$?
	[ -n "$own_policy" ] && rm -f "$policy"
	enabled_at_boot >"$after"
	# Even after a failed install: what did get installed stays disabled.
	disable_new_at_boot "$before" "$after"
	rm -f "$before" "$after"
	[ "$rc" -eq 0 ] || die "apt-get failed"
	return 0
}

# configure_build DIR [CONFIGURE ARGS...]: makes DIR an out-of-tree build
# of the repository configured with exactly these arguments, so that
# tools/stack (a normal build) and tools/check (a sanitizer build) never
# share objects. A directory configured with other arguments is emptied
# first: configure alone would keep the objects built with the old flags.
configure_build() {
	local dir=$1 stamp want
	shift
	stamp=$dir/.configure-args
	if [ -f "$repo/config.status" ]; then
		die "the source tree is configured in place ($repo/config.status); the tools build out of tree: run 'make distclean' in $repo first"
	fi
	if [ ! -x "$repo/configure" ] || [ "$repo/configure.ac" -nt "$repo/configure" ] ||
		[ "$repo/Makefile.am" -nt "$repo/Makefile.in" ]; then
		say "autoreconf -fi"
		(cd "$repo" && autoreconf -fi) || die "autoreconf failed"
	fi
	want=$(printf '%q ' "$@")
	if [ -f "$dir/Makefile" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi
	if [ -e "$dir" ]; then
		say "$dir was configured with other arguments; starting it afresh"
		rm -rf "$dir"
	fi
	mkdir -p "$dir"
	say "configure $*  (in $dir)"
	(cd "$dir" && "$repo/configure" "$@") || die "configure failed; see $dir/config.log"
	printf '%s\n' "$want" >"$stamp"
}

# The number of AddressSanitizer symbols binary $1 defines or calls: more
# than a hundred in a sanitizer build, 0 in a normal one.
asan_symbols() {
	nm "$1" 2>/dev/null | grep -c '__asan_' || true
}
