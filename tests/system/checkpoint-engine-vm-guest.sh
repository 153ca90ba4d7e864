#!/bin/sh
# checkpoint-engine-vm-guest.sh HAKO BUSYBOX-TAR: hako checkpoint and
# restore through the engine (its monitor, log, restart policy), run in the
# cgroup v2 VM by checkpoint-engine-vm.bats.  Prints PASS:/FAIL: lines that
# the bats file reads, and TIME: lines (milliseconds).
hako="$1 --root /var/lib/hako --runroot /run/hako"
check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }
ok() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1 (status $2)"; sed 's/^/    /' /tmp/err; fi; }
# ms: the uptime in milliseconds (busybox's date has no %N)
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# count NAME: the counter's number in the running container
count() { $hako exec "$1" cat /tmp/n; }

$hako import -c 'CMD ["sh"]' "$2" busybox >/dev/null && echo "PASS: import" || echo "FAIL: import"
counter='i=0; while :; do i=$((i+1)); echo $i; echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.1; done'
$hako run -d --network none --restart always --name c1 busybox sh -c "$counter" >/dev/null || echo "FAIL: run c1"
id=$($hako inspect -f '{{.Id}}' c1)
sleep 1

# 1. checkpoint: the container stops, exited and checkpointed, not restarted
t0=$(ms)
$hako checkpoint c1 >/tmp/out 2>/tmp/err; ok "checkpoint" $?
t1=$(ms)
echo "TIME: checkpoint $((t1 - t0))"
check "checkpoint prints the name" c1 "$(cat /tmp/out)"
check "checkpoint: exited and checkpointed" "exited true 0" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}} {{.State.ExitCode}}' c1)"
at=$($hako inspect -f '{{.State.CheckpointedAt}}' c1)
[ -n "$at" ] && echo "PASS: CheckpointedAt is set" || echo "FAIL: CheckpointedAt is set"
at_dump=$($hako logs c1 | tail -n 1)
[ -f /var/lib/hako/containers/$id/checkpoint/inventory.img ] && echo "PASS: the images are in the container's directory" || echo "FAIL: the images are in the container's directory"
check "checkpoint: the cgroup is gone" gone "$([ -d /sys/fs/cgroup/hako/$id ] && echo present || echo gone)"
sleep 1
check "checkpoint: --restart always does not restart it" "exited 0" "$($hako inspect -f '{{.State.Status}} {{.RestartCount}}' c1)"
check "ps -a shows it exited" 1 "$($hako ps -a --format '{{.Names}} {{.Status}}' | grep -c '^c1 Exited')"

# 2. restore: running again under a new monitor, from where it stopped
t0=$(ms)
$hako restore c1 >/tmp/out 2>/tmp/err; ok "restore" $?
t1=$(ms)
echo "TIME: restore $((t1 - t0))"
check "restore prints the name" c1 "$(cat /tmp/out)"
check "restore: running, no longer checkpointed" "running true false" "$($hako inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Checkpointed}}' c1)"
[ -n "$($hako inspect -f '{{.State.RestoredAt}}' c1)" ] && echo "PASS: RestoredAt is set" || echo "FAIL: RestoredAt is set"
check "restore: CheckpointedAt kept" "$at" "$($hako inspect -f '{{.State.CheckpointedAt}}' c1)"
check "restore: the images are gone (no --keep)" gone "$([ -e /var/lib/hako/containers/$id/checkpoint ] && echo present || echo gone)"
pid=$($hako inspect -f '{{.State.Pid}}' c1)
check "restore: the process is in the container's cgroup" 1 "$(grep -c "^$pid\$" /sys/fs/cgroup/hako/$id/cgroup.procs)"
mon=$($hako inspect -f '{{.State.MonitorPid}}' c1)
check "restore: its monitor is hako-monitor" hako-monitor "$(basename "$(readlink /proc/$mon/exe)")"
sleep 0.6
n=$(count c1)
[ "$n" -gt "$at_dump" ] && echo "PASS: restore: counts on from the checkpoint" || echo "FAIL: restore: counts on from the checkpoint ($n vs $at_dump)"
last=$($hako logs c1 | tail -n 1)
[ "$last" -gt "$at_dump" ] && echo "PASS: restore: the log continues" || echo "FAIL: restore: the log continues (last '$last', dumped at $at_dump)"
check "restore: the log has the first run's lines" 1 "$($hako logs c1 | grep -cx 1)"
# resumed, not restarted (which would count from 1 again), nothing lost
check "restore: the log counts 1..N once each" "in order" "$($hako logs c1 | awk 'NR != $1 { bad = NR ": " $1 } END { print bad ? bad : "in order" }')"
$hako attach c1 >/tmp/attach 2>&1 &
apid=$!
i=0
while [ $i -lt 50 ] && [ ! -s /tmp/attach ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL $apid # attach forwards other signals to the container
wait $apid
[ -s /tmp/attach ] && echo "PASS: restore: attach hears it" || echo "FAIL: restore: attach hears it"

# 3. the restart policy applies to the restored container
kill -9 "$pid"
i=0
while [ $i -lt 50 ] && [ "$($hako inspect -f '{{.RestartCount}}' c1)" != 1 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
check "restored, killed: --restart always restarts it" "running 1" "$($hako inspect -f '{{.State.Status}} {{.RestartCount}}' c1)"

# 4. --leave-running: it keeps counting and is not checkpointed; --keep keeps criu's log
$hako checkpoint --leave-running --keep c1 >/dev/null 2>/tmp/err; ok "checkpoint --leave-running" $?
check "--leave-running: still running" "running false" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' c1)"
n=$(count c1)
sleep 0.5
[ "$(count c1)" -gt "$n" ] && echo "PASS: --leave-running: still counting" || echo "FAIL: --leave-running: still counting"
[ -f /var/lib/hako/containers/$id/checkpoint-logs/dump.log ] && echo "PASS: --keep keeps dump.log" || echo "FAIL: --keep keeps dump.log"
$hako restore c1 >/dev/null 2>/tmp/err
check "restore of a running container is refused" 125 $?
grep -q 'it is running' /tmp/err && echo "PASS: ... saying it is running" || { echo "FAIL: ... saying it is running"; cat /tmp/err; }

# 5. criu failing mid-dump: the container runs on, the error is criu's
mkdir -p /tmp/fake
cat >/tmp/fake/criu <<'FAKE'
#!/bin/sh
[ "$1" = check ] && exec /usr/sbin/criu "$@"
echo "Error (criu/cr-dump.c:1): simulated dump failure" >&2
exit 1
FAKE
chmod +x /tmp/fake/criu
pid=$($hako inspect -f '{{.State.Pid}}' c1)
PATH=/tmp/fake:$PATH $hako checkpoint c1 >/dev/null 2>/tmp/err
check "a failing criu: exit 125" 125 $?
grep -q 'simulated dump failure' /tmp/err && echo "PASS: a failing criu: its message" || { echo "FAIL: a failing criu: its message"; cat /tmp/err; }
check "a failing criu: still running, same process" "running $pid false" "$($hako inspect -f '{{.State.Status}} {{.State.Pid}} {{.State.Checkpointed}}' c1)"
check "a failing criu: no images left" gone "$([ -e /var/lib/hako/containers/$id/checkpoint.new ] && echo present || echo gone)"
check "a failing criu: no marker left" gone "$([ -e /run/hako/containers/$id/checkpointing ] && echo present || echo gone)"

# 6. migration: checkpoint --export in store A, restore --import in store B
# (another --root/--runroot, standing in for another machine)
hakob="$1 --root /var/lib/hako-b --runroot /run/hako-b"
# Its counter writes to a tmpfs, which criu saves with the dump: an export
# with --leave-running takes the root's changes after the process ran on,
# when the file the dump saw open (its n.new) may be gone.
$hako run -d --network none --tmpfs /data --name c2 busybox sh -c "$(echo "$counter" | sed 's|/tmp/|/data/|g')" >/dev/null || echo "FAIL: run c2"
$hako exec c2 sh -c 'echo moved-with-it >/marker' || echo "FAIL: exec c2"
sleep 1
t0=$(ms)
# a criu that notes how it is run: `criu check` once per checkpoint
mkdir -p /tmp/noting
cat >/tmp/noting/criu <<'NOTE'
#!/bin/sh
echo "$1" >>/tmp/criu-calls
exec /usr/sbin/criu "$@"
NOTE
chmod +x /tmp/noting/criu
PATH=/tmp/noting:$PATH $hako checkpoint --export - c2 >/tmp/c2.tar.zst 2>/tmp/err; ok "checkpoint --export - (stdout)" $?
t1=$(ms)
check "criu ran: check once, dump once" "check dump" "$(tr '\n' ' ' </tmp/criu-calls | sed 's/ $//')"
check "the export is zstd" "28b52ffd" "$(od -An -tx1 -N4 /tmp/c2.tar.zst | tr -d ' ')"
echo "TIME: checkpoint --export $((t1 - t0))"
echo "SIZE: export $(($(wc -c </tmp/c2.tar.zst) / 1024)) KiB"
at_dump=$($hako logs c2 | tail -n 1)
check "store A: the exported container is kept, exited and checkpointed" "exited true" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' c2)"
$hakob restore --import /tmp/c2.tar.zst >/dev/null 2>/tmp/err
check "store B without the image: refused" 125 $?
grep -q 'its image busybox (sha256:[0-9a-f]*) is not in this store: pull or load it first' /tmp/err && echo "PASS: ... naming the image" || { echo "FAIL: ... naming the image"; cat /tmp/err; }
check "store B: nothing left by the refusal" 0 "$($hakob ps -aq | wc -l)"
$hako save -o /tmp/busybox-image.tar busybox && $hakob load -i /tmp/busybox-image.tar >/dev/null 2>/tmp/err; ok "store B: the image loaded" $?
t2=$(ms)
$hakob restore --import /tmp/c2.tar.zst --name moved >/tmp/out 2>/tmp/err; ok "store B: restore --import --name" $?
t3=$(ms)
echo "TIME: restore --import $((t3 - t2))"
echo "TIME: migration downtime (export + import, no copy) $((t1 - t0 + t3 - t2))"
check "restore --import prints the new name" moved "$(cat /tmp/out)"
check "store B: running" "running true" "$($hakob inspect -f '{{.State.Status}} {{.State.Running}}' moved)"
sleep 0.6
n=$($hakob exec moved cat /data/n)
[ "$n" -gt "$at_dump" ] && echo "PASS: store B: counts on from the checkpoint" || echo "FAIL: store B: counts on from the checkpoint ($n vs $at_dump)"
check "store B: the file system changes came along" moved-with-it "$($hakob exec moved cat /marker)"
check "store B: its image is the same" "$($hako inspect -f '{{.Image}}' c2)" "$($hakob inspect -f '{{.Image}}' moved)"
mid=$($hakob inspect -f '{{.Id}}' moved)
check "store B: the images are gone after the restore" gone "$([ -e /var/lib/hako-b/containers/$mid/checkpoint ] && echo present || echo gone)"
check "store B: no staging left" 0 "$(find /var/lib/hako-b -maxdepth 1 -name 'checkpoint-import.*' | wc -l)"
# the same file again, from stdin: a second container from one checkpoint
$hakob restore --import - --name moved2 </tmp/c2.tar.zst >/dev/null 2>/tmp/err; ok "store B: restore --import - (stdin)" $?
n2=$($hakob exec moved2 cat /data/n)
[ "$n2" -gt "$at_dump" ] && echo "PASS: store B: the second one counts on too" || echo "FAIL: store B: the second one counts on too ($n2 vs $at_dump)"
$hakob restore --import /tmp/c2.tar.zst --name moved >/dev/null 2>/tmp/err
check "store B: a name in use is refused" 125 $?
# --compress: gzip and none, in files whose names say nothing; import
# tells them by their first bytes
$hako checkpoint --export /tmp/bad.ckpt --compress lz4 c1 >/dev/null 2>/tmp/err
check "--compress lz4: exit 125" 125 $?
grep -q -- '--compress lz4: expected zstd, gzip or none' /tmp/err && echo "PASS: --compress lz4: says so" || { echo "FAIL: --compress lz4: says so"; cat /tmp/err; }
check "--compress lz4: c1 untouched, no file" "running $pid false absent" "$($hako inspect -f '{{.State.Status}} {{.State.Pid}} {{.State.Checkpointed}}' c1) $([ -e /tmp/bad.ckpt ] && echo present || echo absent)"
$hako restore c2 >/dev/null 2>/tmp/err; ok "store A: c2 restored for the other exports" $?
for z in gzip none; do
	$hako checkpoint --leave-running --export /tmp/c2-$z.ckpt --compress $z c2 >/dev/null 2>/tmp/err; ok "checkpoint --export --compress $z" $?
done
check "--compress gzip: gzip's magic" 1f8b "$(od -An -tx1 -N2 /tmp/c2-gzip.ckpt | tr -d ' ')"
check "--compress none: a tar" ustar "$(dd if=/tmp/c2-none.ckpt bs=1 skip=257 count=5 2>/dev/null)"
[ "$(wc -c </tmp/c2-none.ckpt)" -gt "$(wc -c </tmp/c2-gzip.ckpt)" ] && echo "PASS: --compress none is larger than gzip" || echo "FAIL: --compress none is larger than gzip"
for z in gzip none; do
	$hakob restore --import /tmp/c2-$z.ckpt --name moved-$z >/dev/null 2>/tmp/err; ok "store B: restore --import of the $z export" $?
	check "store B: the $z one runs with the file system changes" "running moved-with-it" "$($hakob inspect -f '{{.State.Status}}' moved-$z) $($hakob exec moved-$z cat /marker)"
done
# --ignore-rootfs: restored over the image's files, without the export's changes
$hakob restore --import /tmp/c2-none.ckpt --name bare --ignore-rootfs >/dev/null 2>/tmp/err; ok "store B: restore --import --ignore-rootfs" $?
check "--ignore-rootfs: running, without the changed file" "running absent" "$($hakob inspect -f '{{.State.Status}}' bare) $($hakob exec bare sh -c '[ -e /marker ] && echo present || echo absent')"
sleep 0.3
n=$($hakob exec bare cat /data/n)
[ "$n" -gt "$at_dump" ] && echo "PASS: --ignore-rootfs: counts on from the checkpoint" || echo "FAIL: --ignore-rootfs: counts on from the checkpoint ($n vs $at_dump)"
# a restore that criu refuses: the process holds /held open, and
# --ignore-rootfs leaves the file out; the error quotes criu's log, which
# is kept though the half-made container goes
$hako run -d --network none -v vheld:/vh --name held busybox sh -c 'echo x >/held; exec 3</held; while sleep 1; do :; done' >/dev/null || echo "FAIL: run held"
$hako checkpoint --export /tmp/held.ckpt --compress none --with-volumes held >/dev/null 2>/tmp/err; ok "checkpoint --export held" $?
$hakob restore --import /tmp/held.ckpt --name held-bare --ignore-rootfs >/dev/null 2>/tmp/err
check "a restore criu refuses: exit 125" 125 $?
kept=/var/lib/hako-b/checkpoint-import-held-bare.log
grep -q "its log $kept ends:" /tmp/err && [ "$(grep -c '^  ' /tmp/err)" -ge 1 ] && echo "PASS: a restore criu refuses: the error quotes criu's log and names it" || { echo "FAIL: a restore criu refuses: the error quotes criu's log and names it"; cat /tmp/err; }
[ -s $kept ] && grep -q "$(grep '^  ' /tmp/err | tail -n 1 | sed 's/^  //')" $kept && echo "PASS: a restore criu refuses: its log is kept" || { echo "FAIL: a restore criu refuses: its log is kept"; ls -l /var/lib/hako-b; }
check "a restore criu refuses: no container left" "" "$($hakob ps -aq --filter name=held-bare)"
check "a restore criu refuses: the volume it made is gone" "" "$($hakob volume ls -q)"
rm -f $kept /tmp/held.ckpt
$hako rm -f held >/dev/null && $hako volume rm vheld >/dev/null || echo "FAIL: rm held and vheld"
# --with-volumes: the content of the named volumes goes along
$hako run -d --network none -v vdata:/vol --name cv busybox sh -c 'echo kept >/vol/file; '"$counter" >/dev/null || echo "FAIL: run cv"
sleep 1
$hako checkpoint --export /tmp/cv.ckpt --with-volumes cv >/dev/null 2>/tmp/err; ok "checkpoint --export --with-volumes" $?
$hakob volume create vdata >/dev/null || echo "FAIL: volume create vdata in store B"
$hakob restore --import /tmp/cv.ckpt >/dev/null 2>/tmp/err
check "--with-volumes: a volume of that name in store B: exit 125" 125 $?
grep -q 'volume vdata, whose content it holds, exists in this store' /tmp/err && echo "PASS: ... naming it, nothing made" || { echo "FAIL: ... naming it, nothing made"; cat /tmp/err; }
check "--with-volumes: the refusal made no container" "" "$($hakob ps -aq --filter name=cv)"
$hakob volume rm vdata >/dev/null || echo "FAIL: volume rm vdata in store B"
$hakob restore --import /tmp/cv.ckpt >/dev/null 2>/tmp/err; ok "restore --import of a --with-volumes export" $?
check "--with-volumes: the volume came with its content" "running kept" "$($hakob inspect -f '{{.State.Status}}' cv) $($hakob exec cv cat /vol/file)"
check "--with-volumes: it is a named volume in store B" vdata "$($hakob volume ls -q)"
$hakob rm -f cv >/dev/null && $hakob volume rm vdata >/dev/null || echo "FAIL: rm cv and vdata in store B"
$hako rm -f cv >/dev/null && $hako volume rm vdata >/dev/null || echo "FAIL: rm cv and vdata"
rm -f /tmp/cv.ckpt
$hakob rm -f moved-gzip moved-none bare >/dev/null || echo "FAIL: rm moved-gzip moved-none bare"
$hakob rm -f moved moved2 >/dev/null || echo "FAIL: rm in store B"
check "store B: no container left" 0 "$($hakob ps -aq | wc -l)"
check "store B: no mount left" 0 "$(grep -c /var/lib/hako-b /proc/self/mountinfo)"
$hako rm -f c2 >/dev/null || echo "FAIL: rm c2"

# 7. a container with a terminal (-t): restored onto a new pty that its
# monitor holds, its log going on
$hako run -dt --network none --name t1 busybox sh -c "$counter" >/dev/null || echo "FAIL: run -t t1"
sleep 1
$hako checkpoint t1 >/dev/null 2>/tmp/err; ok "checkpoint -t" $?
at_dump=$($hako logs t1 | tr -d '\r' | tail -n 1)
check "checkpoint -t: exited and checkpointed" "exited true" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' t1)"
$hako restore t1 >/dev/null 2>/tmp/err; ok "restore -t" $?
check "restore -t: running" running "$($hako inspect -f '{{.State.Status}}' t1)"
sleep 0.6
n=$(count t1)
[ "$n" -gt "$at_dump" ] && echo "PASS: restore -t: counts on from the checkpoint" || echo "FAIL: restore -t: counts on from the checkpoint ($n vs $at_dump)"
last=$($hako logs t1 | tr -d '\r' | tail -n 1)
[ "$last" -gt "$at_dump" ] && echo "PASS: restore -t: the log goes on through the new pty" || echo "FAIL: restore -t: the log goes on through the new pty (last '$last', dumped at $at_dump)"
tpid=$($hako inspect -f '{{.State.Pid}}' t1)
check "restore -t: stdout is a pty" pts "$(readlink /proc/$tpid/fd/1 | cut -d/ -f3)"
$hako rm -f t1 >/dev/null || echo "FAIL: rm t1"

# 8. --tcp-established: a TCP echo server in a container on the VM's
# network, its client outside, one connection across checkpoint/restore
$hako run -d --network host --name e1 busybox nc -l -p 5000 -e cat >/dev/null || echo "FAIL: run e1"
i=0; while ! netstat -ltn | grep -q ':5000 ' && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
(i=0; while [ $i -lt 150 ]; do i=$((i + 1)); echo $i; sleep 0.1; done) | nc 127.0.0.1 5000 >/tmp/echo.out &
sleep 0.5
[ "$(tail -n 1 /tmp/echo.out)" -gt 0 ] 2>/dev/null && echo "PASS: tcp: the echo server answers" || echo "FAIL: tcp: the echo server answers ('$(tail -n 1 /tmp/echo.out)')"
epid=$($hako inspect -f '{{.State.Pid}}' e1)
$hako checkpoint e1 >/dev/null 2>/tmp/err
check "tcp: checkpoint without --tcp-established is refused" 125 $?
check "tcp: ... the container runs on" "running $epid" "$($hako inspect -f '{{.State.Status}} {{.State.Pid}}' e1)"
$hako checkpoint --tcp-established e1 >/dev/null 2>/tmp/err; ok "tcp: checkpoint --tcp-established" $?
at_dump=$(tail -n 1 /tmp/echo.out)
check "tcp: exited and checkpointed" "exited true" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' e1)"
$hako restore --tcp-established e1 >/dev/null 2>/tmp/err; ok "tcp: restore --tcp-established" $?
i=0; while [ $i -lt 100 ]; do n=$(tail -n 1 /tmp/echo.out); [ "$n" -gt $((at_dump + 3)) ] && break; sleep 0.1; i=$((i+1)); done
[ "$n" -gt $((at_dump + 3)) ] && echo "PASS: tcp: the connection echoes on" || echo "FAIL: tcp: the connection echoes on ($at_dump -> $n)"
$hako rm -f e1 >/dev/null || echo "FAIL: rm e1"

# 9. --file-locks: a container whose process holds a flock keeps it
$hako run -d --network none --name l1 busybox hako-test-flock /tmp/lock sh -c "$counter" >/dev/null || echo "FAIL: run l1"
sleep 1
$hako exec l1 hako-test-flock -n /tmp/lock true 2>/dev/null
check "flock: held before the checkpoint" 1 $?
lpid=$($hako inspect -f '{{.State.Pid}}' l1)
$hako checkpoint l1 >/dev/null 2>/tmp/err
check "flock: checkpoint without --file-locks is refused" 125 $?
check "flock: ... the container runs on" "running $lpid" "$($hako inspect -f '{{.State.Status}} {{.State.Pid}}' l1)"
$hako checkpoint --file-locks l1 >/dev/null 2>/tmp/err; ok "flock: checkpoint --file-locks" $?
at_dump=$($hako logs l1 | tail -n 1)
check "flock: exited and checkpointed" "exited true" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' l1)"
$hako restore --file-locks l1 >/dev/null 2>/tmp/err; ok "flock: restore --file-locks" $?
sleep 0.6
n=$(count l1)
[ "$n" -gt "$at_dump" ] && echo "PASS: flock: counts on from the checkpoint" || echo "FAIL: flock: counts on from the checkpoint ($n vs $at_dump)"
$hako exec l1 hako-test-flock -n /tmp/lock true 2>/dev/null
check "flock: still held after the restore" 1 $?
lpid=$($hako inspect -f '{{.State.Pid}}' l1)
check "flock: /proc/locks names the restored process" 1 "$(awk -v p="$lpid" '$2 == "FLOCK" && $5 == p' /proc/locks | wc -l)"
$hako rm -f l1 >/dev/null || echo "FAIL: rm l1"

# 9b. --pre-checkpoint saves the memory of a 50 MB process while it runs;
# --with-previous then saves only the pages written since
# (the length of its 50 MB string, read from its memory, is written to
# /tmp/len on SIGUSR1 only: reading it in the loop would copy it, and so
# write all its pages, each time)
$hako run -d --network none --name big busybox sh -c 'x=$(head -c 50000000 /dev/zero | tr "\0" a); trap "echo \${#x} >/tmp/len" USR1; '"$counter" >/dev/null || echo "FAIL: run big"
bid=$($hako inspect -f '{{.Id}}' big)
i=0; while [ $i -lt 100 ] && ! $hako exec big test -s /tmp/n 2>/dev/null; do sleep 0.2; i=$((i+1)); done
$hako checkpoint --with-previous big >/dev/null 2>/tmp/err
check "--with-previous without a pre-checkpoint: exit 125" 125 $?
grep -q 'it has no pre-checkpoint' /tmp/err && echo "PASS: ... says so, and big runs on" || { echo "FAIL: ... says so, and big runs on"; cat /tmp/err; }
t0=$(ms)
$hako checkpoint --pre-checkpoint big >/dev/null 2>/tmp/err; ok "--pre-checkpoint" $?
t1=$(ms)
echo "TIME: pre-checkpoint of 50 MB $((t1 - t0))"
check "--pre-checkpoint: runs on, not checkpointed" "running false" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' big)"
pre_kib=$(du -sk /var/lib/hako/containers/$bid/checkpoint.pre | cut -f1)
echo "SIZE: pre-checkpoint of 50 MB $pre_kib KiB"
[ "$pre_kib" -gt 40000 ] && echo "PASS: --pre-checkpoint: the memory is in checkpoint.pre" || echo "FAIL: --pre-checkpoint: the memory is in checkpoint.pre ($pre_kib KiB)"
sleep 0.5
t0=$(ms)
$hako checkpoint --with-previous big >/dev/null 2>/tmp/err; ok "--with-previous" $?
t1=$(ms)
echo "TIME: checkpoint --with-previous of 50 MB $((t1 - t0))"
at_dump=$($hako logs big | tail -n 1)
check "--with-previous: exited and checkpointed" "exited true" "$($hako inspect -f '{{.State.Status}} {{.State.Checkpointed}}' big)"
final_kib=$(du -sk /var/lib/hako/containers/$bid/checkpoint | cut -f1)
echo "SIZE: checkpoint --with-previous of 50 MB $final_kib KiB"
[ $((final_kib * 10)) -lt "$pre_kib" ] && echo "PASS: --with-previous: only the changed pages (under a tenth)" || echo "FAIL: --with-previous: only the changed pages ($final_kib vs $pre_kib KiB)"
t0=$(ms)
$hako restore big >/dev/null 2>/tmp/err; ok "--with-previous: restore" $?
t1=$(ms)
echo "TIME: restore of 50 MB $((t1 - t0))"
sleep 0.6
n=$(count big)
[ "$n" -gt "$at_dump" ] && echo "PASS: --with-previous: counts on from the checkpoint" || echo "FAIL: --with-previous: counts on from the checkpoint ($n vs $at_dump)"
$hako kill -s USR1 big >/dev/null || echo "FAIL: kill -s USR1 big"
i=0; while [ $i -lt 50 ] && ! $hako exec big test -s /tmp/len; do sleep 0.2; i=$((i+1)); done
check "--with-previous: the 50 MB string came back" 50000000 "$($hako exec big cat /tmp/len)"
check "--with-previous: both image directories gone after the restore" "gone gone" "$(for d in checkpoint checkpoint.pre; do [ -e /var/lib/hako/containers/$bid/$d ] && echo present || echo gone; done | tr '\n' ' ' | sed 's/ $//')"
t0=$(ms)
$hako checkpoint big >/dev/null 2>/tmp/err; ok "a plain checkpoint of 50 MB" $?
t1=$(ms)
echo "TIME: plain checkpoint of 50 MB $((t1 - t0))"
echo "SIZE: plain checkpoint of 50 MB $(du -sk /var/lib/hako/containers/$bid/checkpoint | cut -f1) KiB"
$hako rm -f big >/dev/null || echo "FAIL: rm big"

# 10. stop and remove: nothing left
$hako rm -f c1 >/dev/null || echo "FAIL: rm"
check "no container left" 0 "$($hako ps -aq | wc -l)"
check "no cgroup left" 0 "$(find /sys/fs/cgroup/hako -mindepth 1 -type d 2>/dev/null | wc -l)"
check "no mount left" 0 "$(grep -c /var/lib/hako /proc/self/mountinfo)"
echo "DONE"
