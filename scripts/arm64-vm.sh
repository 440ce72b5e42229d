#!/bin/bash
# An arm64 Debian 12 under qemu-system-aarch64 on an x86-64 machine (TCG: emulated, no KVM),
# made only of Debian's packages from deb.debian.org: the tools built for arm64 run there on a
# real arm64 kernel, BPF and uprobes included.
#
#   scripts/arm64-vm.sh image                  build the image in $GOTOOLS_ARM64_DIR (default
#                                              /var/tmp/gotools-arm64); does nothing when it is
#                                              built and its inputs are unchanged
#   scripts/arm64-vm.sh run HOSTDIR -- CMD...  boot it, run CMD as root in HOSTDIR (the host's
#                                              directory, shared read-write at the same path),
#                                              stream its output, power off; exit with CMD's
#                                              status (124: timed out after
#                                              $GOTOOLS_ARM64_TIMEOUT s, default 3600; 125: the
#                                              VM stopped without one)
#
# The image: bookworm's packages (bcc and the -dev packages the tools build with, python3 and
# pytest) and bookworm-backports' 6.12 kernel with its headers (/lib/modules/$(uname -r)/build
# and source, for libbcc's run-time compile), downloaded and extracted here by mmdebstrap (no
# emulation), then installed properly by dpkg in one emulated boot, saved as an ext4 disk
# image. The extracted tree stays in $GOTOOLS_ARM64_DIR/root: the sysroot for cross-compiling
# with aarch64-linux-gnu-gcc --sysroot. It boots with a small initramfs of our own (Debian's
# busybox-static, the virtio-blk, ext4 and 9p modules) and a PID 1 of our own (no systemd),
# which mounts proc, sys, devtmpfs, debugfs, tracefs, bpffs, cgroup2 and tmpfs /tmp, brings up
# lo, and runs the command; runs use a copy-on-write snapshot, so the image never changes. The
# guest caches what it reads of HOSTDIR (9p cache=loose: 5 to 30 times as fast there), so the
# host must not change HOSTDIR while a command runs.
#
# Slow, as emulation is: on 2 cores, building the image from nothing takes 8 to 13 minutes
# (~40 s to download and extract, the rest the boot that runs dpkg; 13 when the machine is busy
# with something else), a boot to the command ~5 s, and code runs there 10 to 20 times slower
# than here (bcc compiles a program in ~10 s). As root (mmdebstrap, qemu's 9p passthrough);
# installs what it needs with apt-get.
set -euo pipefail
exec </dev/null
cd "$(dirname "$0")/.."

log() { printf 'arm64-vm: %s\n' "$*" >&2; }
die() { printf 'arm64-vm: %s\n' "$*" >&2; exit 1; }
usage() { die "usage: arm64-vm.sh image | run HOSTDIR -- CMD [ARGS...]"; }

dir=${GOTOOLS_ARM64_DIR:-/var/tmp/gotools-arm64}
timeout=${GOTOOLS_ARM64_TIMEOUT:-3600}
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "GOTOOLS_ARM64_TIMEOUT is not a number of seconds: $timeout"

# What the image holds (with their dependencies): the essential set, apt (to install more .debs
# there), what building the tools needs (the image is their sysroot), bcc (python3-bpfcc: bcc's
# own tools and checks), the test suite's python3 and pytest, kmod, procps, iproute2 (lo),
# busybox-static (the initramfs, poweroff) and the kernel with its headers. The kernel is
# bookworm-backports' (6.12: uprobe_multi links, which 6.6 brought; bookworm's own is 6.1):
# GOTOOLS_ARM64_KERNEL=bookworm takes bookworm's.
kernel_suite=${GOTOOLS_ARM64_KERNEL:-bookworm-backports}
case $kernel_suite in
bookworm | bookworm-backports) ;;
*) die "GOTOOLS_ARM64_KERNEL must be bookworm or bookworm-backports, not $kernel_suite" ;;
esac
pkgs="apt mount kmod procps iproute2 busybox-static python3 python3-pytest
      libbpfcc libbpfcc-dev python3-bpfcc libelf-dev libdw-dev libcapstone-dev libmicrohttpd-dev
      nettle-dev zlib1g-dev libc6-dev
      linux-image-arm64/$kernel_suite linux-headers-arm64/$kernel_suite"
sources=("deb http://deb.debian.org/debian bookworm main"
	"deb http://deb.debian.org/debian bookworm-updates main"
	"deb http://deb.debian.org/debian-security bookworm-security main"
	"deb http://deb.debian.org/debian bookworm-backports main")
# the initramfs's modules (and what they need; those built in are skipped): the virtio PCI
# transport (a module in 6.1), the root disk, its file system, the 9p shares
modules="virtio_pci virtio_blk ext4 crc32c_generic 9pnet_virtio 9p"
# the machine: TCG, a host thread for each of its 2 CPUs; the max CPU, with QEMU's cheap pointer
# authentication (the architected one, QARMA, is slow to emulate: bcc's compile takes 1.5 times
# as long with it, or with a cortex-a57)
# shellcheck disable=SC2054
qemu_machine=(-machine virt -cpu max,pauth-impdef=on -smp 2 -m 3584 -accel tcg,thread=multi)

# The initramfs's /init (busybox sh): load the modules, mount the root disk, start its init.
read -r -d '' initramfs_init <<'EOF' || true
#!/bin/busybox sh
# The initramfs of scripts/arm64-vm.sh's VM: loads the modules of the root disk (virtio-blk,
# ext4) and of the 9p shares, mounts the root file system, starts its init.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/lib/modules/$m" || echo "initramfs: cannot load $m"
done </lib/modules/order
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if ! mount -t ext4 -o rw,noatime /dev/vda /newroot; then
	echo "initramfs: cannot mount the root file system"
	poweroff -f
fi
mount --move /dev /newroot/dev
umount /proc
exec switch_root /newroot /usr/local/sbin/gotools-vm-init
EOF

# The root file system's PID 1 (bash): mount what a system has, run the host's command (its argv
# and directory in the 9p share gotools_ctl, the directory itself the share gotools_share), leave
# its output and status in gotools_ctl, power off.
read -r -d '' vm_init <<'EOF' || true
#!/bin/bash
# PID 1 of scripts/arm64-vm.sh's VM (its initramfs starts it): mounts the kernel's file systems,
# runs the command that the host left in the 9p share gotools_ctl (argv: its arguments, each
# ending in a NUL; cwd: the host directory, shared as gotools_share, that it runs in, mounted
# at the same path here), writes its output (output) and exit status (status) there, and powers
# the machine off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root USER=root \
	LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb
off() {
	sync
	busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev tmpfs /dev/shm
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run
mount -t tmpfs -o nosuid,nodev tmpfs /tmp
mount -t debugfs -o nosuid,nodev,noexec debugfs /sys/kernel/debug
mount -t tracefs -o nosuid,nodev,noexec tracefs /sys/kernel/tracing
mount -t bpf -o nosuid,nodev,noexec,mode=700 bpf /sys/fs/bpf
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
ip link set lo up
hostname gotools-arm64

mkdir /run/ctl
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 gotools_ctl /run/ctl || off
ctl=/run/ctl
mapfile -d '' -t argv <$ctl/argv
cwd=$(cat $ctl/cwd)
# the shared directory at its host path: below / or /tmp here, made for the mount (and removed
# after: an image boot keeps what it changes)
made=$cwd
while [ ! -d "${made%/*}/" ]; do made=${made%/*}; done
[ ! -d "$cwd" ] || made=
mkdir -p "$cwd"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose gotools_share "$cwd" || off

: >$ctl/started
(cd "$cwd" && exec "${argv[@]}") </dev/null >$ctl/output 2>&1
echo $? >$ctl/status

# what the command left running, then the share (written back), then the root file system
# read-only, so that the machine stops clean
kill -KILL -1 2>/dev/null
sync
for i in 1 2 3 4 5 6 7 8 9 10; do umount "$cwd" 2>/dev/null && break; sleep 0.2; done
if [ -n "$made" ]; then
	d=$cwd
	while rmdir "$d" 2>/dev/null && [ "$d" != "$made" ]; do d=${d%/*}; done
fi
umount $ctl
for i in 1 2 3 4 5 6 7 8 9 10; do mount -o remount,ro / 2>/dev/null && break; sleep 0.2; done
off
EOF

# The image's install boot (in the guest, in the shared directory of the .debs): every package
# with one `dpkg --install --force-depends`, as mmdebstrap installs the essential set (all the
# preinst scripts run before any postinst: base-passwd's makes /etc/passwd, which others need;
# dpkg still configures them in their dependencies' order). The files are there already, only
# unpacked again. No service starts (there is no init system to start them) and no initramfs is
# made (the image has its own).
read -r -d '' install_script <<'EOF' || true
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true INITRD=No LC_ALL=C.UTF-8
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
dpkg --force-unsafe-io --force-depends --install ./*.deb
dpkg --force-unsafe-io --configure --pending
rm /usr/sbin/policy-rc.d
ldconfig
audit=$(dpkg --audit)
[ -z "$audit" ] || { printf '%s\n' "$audit"; exit 1; }
rm -f /var/cache/apt/*.bin /var/log/dpkg.log /var/log/apt/*.log
echo "install: $(dpkg-query -W | wc -l) packages installed"
EOF

# tools here: install those missing (Debian's packages)
host_tools() {
	local missing="" p
	for p in qemu-system-arm mmdebstrap e2fsprogs cpio kmod xz-utils; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		log "installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
}

now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }                        # microseconds
secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); } # microseconds, as 1.2

# vm SNAPSHOT HOSTDIR ARGV...: boot the image (its disk a snapshot when SNAPSHOT is 1, else
# written), run ARGV in HOSTDIR, print its output as it comes; sets status (ARGV's, 124 when
# timed out, 125 when the VM stopped without one), boot_us and run_us.
vm() {
	local snapshot=() share=$2 ctl qpid t0 t1 tb="" off=0 size
	[ "$1" = 0 ] || snapshot=(-snapshot)
	shift 2
	ctl=$(mktemp -d /tmp/arm64-vm.XXXXXX)
	printf '%s\0' "$@" >"$ctl/argv"
	printf '%s' "$share" >"$ctl/cwd"
	: >"$ctl/output"
	t0=$(now)
	# (in qemu's options, a comma in a path is doubled)
	qemu-system-aarch64 "${qemu_machine[@]}" -nodefaults -no-user-config -nographic \
		-monitor none -serial "file:$ctl/console" -no-reboot \
		-kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
		-append "console=ttyAMA0 quiet panic=-1" \
		-drive "if=none,id=root,file=${dir//,/,,}/rootfs.ext4,format=raw,cache=unsafe" "${snapshot[@]}" \
		-device virtio-blk-pci,drive=root \
		-fsdev "local,id=ctl,path=$ctl,security_model=none" \
		-device virtio-9p-pci,fsdev=ctl,mount_tag=gotools_ctl \
		-fsdev "local,id=share,path=${share//,/,,},security_model=none,multidevs=remap" \
		-device virtio-9p-pci,fsdev=share,mount_tag=gotools_share \
		</dev/null >/dev/null &
	qpid=$!
	# shellcheck disable=SC2064
	trap "kill $qpid 2>/dev/null; rm -rf '$ctl'" EXIT
	status=""
	# its output as it grows, the boot's end when the command starts, the timeout
	while kill -0 $qpid 2>/dev/null; do
		[ -n "$tb" ] || [ ! -e "$ctl/started" ] || tb=$(now)
		size=$(stat -c %s "$ctl/output")
		if [ "$size" -gt "$off" ]; then
			tail -c +$((off + 1)) "$ctl/output" | head -c $((size - off))
			off=$size
		fi
		if [ $(($(now) - t0)) -ge $((timeout * 1000000)) ]; then
			kill $qpid
			status=124
			log "timed out after $timeout s"
			break
		fi
		sleep 0.2
	done
	wait $qpid || true
	t1=$(now)
	tail -c +$((off + 1)) "$ctl/output"
	[ -n "$tb" ] || [ ! -e "$ctl/started" ] || tb=$t1
	if [ -z "$status" ]; then
		status=$(cat "$ctl/status" 2>/dev/null || true)
		if [ -z "$status" ]; then
			status=125
			log "the VM stopped without the command's exit status; the end of its console:"
			tail -n 20 "$ctl/console" >&2
		fi
	fi
	boot_us=$((${tb:-$t1} - t0))
	run_us=$((t1 - ${tb:-$t1}))
	rm -rf "$ctl"
	trap - EXIT
}

# lock MODE WHAT: hold $dir's lock (flock MODE: -x for a build, -s for a run) until the script
# exits, telling when it waits for WHAT; a build waits for the runs, and runs for a build
lock() {
	mkdir -p "$dir"
	exec 9>>"$dir/lock"
	flock -n "$1" 9 || { log "waiting for $2"; flock "$1" 9; }
}

# the inputs of the image: when they change, `image` builds it anew
inputs() {
	printf '%s\n' "rev 1" "$pkgs" "${sources[@]}" "$modules" "$initramfs_init" "$vm_init" \
		"$install_script" | sha256sum | cut -d' ' -f1
}

image() {
	local t0 kver tree=$dir/root f m staging used
	[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap, mkfs.ext4 -d of a root's files)"
	host_tools
	lock -x "the other build or the runs of the image in $dir"
	if [ -e "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$(inputs)" ] && [ -e "$dir/rootfs.ext4" ] &&
		[ -e "$dir/vmlinuz" ] && [ -e "$dir/initrd.img" ] && [ -d "$tree/usr/include" ]; then
		log "the image in $dir is up to date"
		return
	fi
	t0=$(now)
	mkdir -p "$dir/debs"
	rm -rf "$tree" "$dir/stamp" "$dir/rootfs.ext4" "$dir/initrd.img" "$dir/vmlinuz"

	# Download and extract (no maintainer scripts run: they are arm64's). The .debs of the
	# last build are reused (apt checks each against the archive's signed index); the set kept
	# in $dir/debs is this build's. merged-usr: /bin, /lib, /sbin as links into /usr, as
	# Debian 12 has them.
	log "downloading and extracting $(wc -w <<<"$pkgs") packages and their dependencies into $tree"
	# shellcheck disable=SC2016,SC2086
	mmdebstrap --variant=extract --architectures=arm64 --skip=check/qemu \
		--skip=cleanup/apt/cache --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
		--setup-hook='for f in '"$dir"'/debs/*.deb; do [ -e "$f" ] && { cp -l "$f" "$1/var/cache/apt/archives/" 2>/dev/null || cp "$f" "$1/var/cache/apt/archives/"; }; done; true' \
		--include='?essential' --include="$(echo $pkgs | tr ' ' ,)" \
		bookworm "$tree" "${sources[@]}" >"$dir/extract.log" 2>&1 ||
		{ tail -n 20 "$dir/extract.log" >&2; die "mmdebstrap failed ($dir/extract.log)"; }
	rm -f "$dir"/debs/*.deb
	mv "$tree"/var/cache/apt/archives/*.deb "$dir/debs/"

	kver=$(ls "$tree/lib/modules")
	[ "$(echo "$kver" | wc -l)" -eq 1 ] || die "not one kernel in $tree/lib/modules: $kver"
	log "kernel $kver"
	# libbcc compiles against /lib/modules/$(uname -r)/build: Debian's headers package links
	# build (the arch part) and source (the common part); make sure
	ln -sfn "/usr/src/linux-headers-$kver" "$tree/lib/modules/$kver/build"
	ln -sfn "/usr/src/linux-headers-${kver%-arm64}-common" "$tree/lib/modules/$kver/source"
	if [ ! -e "$tree/usr/src/linux-headers-$kver/include/config/auto.conf" ] ||
		[ ! -e "$tree/usr/src/linux-headers-${kver%-arm64}-common/include/linux/kconfig.h" ]; then
		die "no kernel headers for $kver in $tree/usr/src"
	fi
	depmod -b "$tree" "$kver"
	cp "$tree/boot/vmlinuz-$kver" "$dir/vmlinuz"
	mkdir -p "$tree/usr/local/sbin"
	printf '%s\n' "$vm_init" >"$tree/usr/local/sbin/gotools-vm-init"
	chmod 755 "$tree/usr/local/sbin/gotools-vm-init"
	echo gotools-arm64 >"$tree/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tgotools-arm64\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
		>"$tree/etc/hosts"
	printf '# (none: the image'"'"'s init, /usr/local/sbin/gotools-vm-init, mounts what it needs)\n' \
		>"$tree/etc/fstab"

	# the initramfs, uncompressed: busybox, the modules in their order (decompressed for
	# busybox's insmod: 6.12's are .ko.xz), /dev/console for the kernel to open, /init
	staging=$(mktemp -d /tmp/arm64-vm-initrd.XXXXXX)
	mkdir -p "$staging"/{bin,dev,proc,newroot,lib/modules}
	cp "$tree/bin/busybox" "$staging/bin/"
	mknod -m 600 "$staging/dev/console" c 5 1
	# shellcheck disable=SC2086
	modprobe -d "$tree" -S "$kver" --show-depends -a $modules | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
		while read -r m; do
			f=${m##*/}
			f=${f%.xz}
			case $m in
			*.xz) xz -dc "$m" ;;
			*) cat "$m" ;;
			esac >"$staging/lib/modules/$f"
			echo "$f" >>"$staging/lib/modules/order"
		done
	printf '%s\n' "$initramfs_init" >"$staging/init"
	chmod 755 "$staging/init"
	(cd "$staging" && find . | cpio --quiet -o -H newc -R 0:0) >"$dir/initrd.img"
	rm -rf "$staging"

	# the root file system: the tree, with 2 GiB free (a sparse file). mkfs.ext4 -d leaves its
	# directories unindexed, and a big one (the 7,400 files of the headers' include/config) then
	# costs dpkg minutes there: e2fsck -D indexes them.
	used=$(du -sm "$tree" | cut -f1)
	mkfs.ext4 -q -F -L gotools-arm64 -d "$tree" "$dir/rootfs.ext4" $(((used + 2048) / 256 * 256))M >/dev/null
	e2fsck -fyD "$dir/rootfs.ext4" >/dev/null 2>&1 || [ $? -le 1 ] || die "e2fsck -D of the image failed"
	log "extracted in $(secs $(($(now) - t0))) s"

	# the install boot, its output in $dir/install.log
	log "installing the packages in the VM (an emulated boot, 7 to 12 minutes; $dir/install.log)"
	printf '%s\n' "$install_script" >"$dir/debs/install.sh"
	vm 0 "$dir/debs" bash ./install.sh >"$dir/install.log"
	rm -f "$dir/debs/install.sh"
	[ "$status" = 0 ] || { tail -n 30 "$dir/install.log" >&2; die "the install boot failed ($status)"; }
	# checked (it has orphans to free: the files that dpkg replaced while PID 1 had them open,
	# bash and libc, kept the guest from remounting it read-only), then what dpkg freed given
	# back to this machine's disk (e2fsck discards only on a file system it left untouched)
	e2fsck -fy "$dir/rootfs.ext4" >/dev/null 2>&1 || [ $? -le 1 ] || die "e2fsck of the image failed"
	e2fsck -fy -E discard "$dir/rootfs.ext4" >/dev/null 2>&1 || die "e2fsck of the image failed"
	tail -n 1 "$dir/install.log" >&2
	inputs >"$dir/stamp"
	log "built in $(secs $(($(now) - t0))) s (install boot: $(secs $run_us) s);" \
		"$(du -sh --apparent-size "$dir/rootfs.ext4" | cut -f1) image ($(du -sh "$dir/rootfs.ext4" | cut -f1) used)," \
		"$(du -sh "$dir" | cut -f1) in $dir"
}

run() {
	local share
	if [ "$#" -lt 3 ] || [ "$2" != -- ]; then usage; fi
	[ -d "$1" ] || die "no directory $1"
	share=$(cd "$1" && pwd -P)
	shift 2
	# mounted there at its own path, it must not hide the guest's own system
	case $share in
	/ | /bin | /boot | /dev | /dev/* | /etc | /lib | /proc | /proc/* | /root | /run | /sbin | \
		/sys | /sys/* | /tmp | /usr | /usr/lib | /usr/bin | /var)
		die "$share cannot be shared at its own path (it would hide the guest's)" ;;
	esac
	lock -s "the build of the image in $dir"
	[ -e "$dir/stamp" ] || die "no image in $dir: run scripts/arm64-vm.sh image"
	command -v qemu-system-aarch64 >/dev/null || die "no qemu-system-aarch64: run scripts/arm64-vm.sh image"
	vm 1 "$share" "$@"
	log "booted in $(secs $boot_us) s, ran in $(secs $run_us) s"
	exit "$status"
}

case ${1-} in
image) [ "$#" -eq 1 ] || usage; image ;;
run) shift; run "$@" ;;
*) usage ;;
esac
