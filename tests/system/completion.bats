#!/usr/bin/env bats
# hako completion bash|zsh|fish: commands, options and the store's names,
# through the shells themselves (bash -i with complete -p and compgen,
# fish's complete -C, zsh's compsys in a pseudo-terminal:
# completion-zsh.zsh).

load engine-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools bash zsh fish
	engine_setup_file
	export PATH=$HAKO_BUILD/src/cli:$PATH
	hk create --name web1 busybox true >/dev/null
	hk create --name web2 busybox true >/dev/null
	hk volume create data1 >/dev/null
}

teardown_file() {
	hk rm -f web1 web2 >/dev/null
	hk volume rm data1 >/dev/null
	engine_teardown_file
}

# complete_bash WORD...: what bash completes the last WORD of `hako WORD...`
# to, one a line, in an interactive bash that sourced `hako completion bash`.
complete_bash() {
	local words
	printf -v words '%q ' hako --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" "$@"
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc -i -c 'source <(hako completion bash) && complete -p hako >&2 &&
		COMP_WORDS=('"$words"') && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _hako &&
		printf "%s\n" "${COMPREPLY[@]}"' 2>"$BATS_TEST_TMPDIR/stderr"
	grep -qx 'complete -F _hako hako' "$BATS_TEST_TMPDIR/stderr"
}

@test "bash: commands, subcommands and options" {
	run -0 complete_bash vol
	[ "$output" = volume ]
	run -0 complete_bash volume ''
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "create inspect ls prune rm " ]
	run -0 complete_bash ps --f
	[ "$(tr '\n' ' ' <<<"$output")" = "--filter --format " ]
	# a group's commands that are also top-level ones (container run)
	run -0 complete_bash container ru
	[ "$output" = run ]
	run -0 complete_bash ''
	grep -qx run <<<"$output"
	grep -qx completion <<<"$output"
	grep -qx network <<<"$output"
}

@test "bash: container, image and volume names from the store" {
	run -0 complete_bash rm web
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "web1 web2 " ]
	run -0 complete_bash run --rm busy
	[ "$output" = busybox:latest ]
	run -0 complete_bash volume rm ''
	[ "$output" = data1 ]
	# run's second operand is the container's command: no names
	run -0 complete_bash run busybox ''
	[ -z "$output" ]
}

@test "fish: complete -C gives the same" {
	local prefix="hako --root $HAKO_ROOT --runroot $HAKO_RUNROOT"
	run -0 fish --no-config -c "source (hako completion fish | psub); complete -C '$prefix volume rm '"
	[ "$(cut -f1 <<<"$output")" = data1 ]
	run -0 fish --no-config -c "source (hako completion fish | psub); complete -C '$prefix rm web'"
	[ "$(cut -f1 <<<"$output" | sort | tr '\n' ' ')" = "web1 web2 " ]
	run -0 fish --no-config -c "source (hako completion fish | psub); complete -C '$prefix ps --f'"
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "--filter --format " ]
}

# complete_zsh LINE: what zsh's completion system offers for `LINE<Tab>`,
# sorted, on one line.
complete_zsh() {
	mkdir -p "$BATS_TEST_TMPDIR/zfunc"
	hako completion zsh >"$BATS_TEST_TMPDIR/zfunc/_hako"
	timeout 20 zsh -f "$BATS_TEST_DIRNAME/completion-zsh.zsh" "$BATS_TEST_TMPDIR/zfunc" "$1" |
		sort | tr '\n' ' '
}

@test "zsh: compsys completes commands, options and the store's names" {
	hako completion zsh >"$BATS_TEST_TMPDIR/_hako"
	zsh -n "$BATS_TEST_TMPDIR/_hako"
	[ "$(head -1 "$BATS_TEST_TMPDIR/_hako")" = "#compdef hako" ]
	local prefix="hako --root $HAKO_ROOT --runroot $HAKO_RUNROOT"
	[ "$(complete_zsh 'hako ru')" = "run " ]
	[ "$(complete_zsh 'hako container ru')" = "run " ]
	[ "$(complete_zsh 'hako ps --f')" = "--filter --format " ]
	[ "$(complete_zsh "$prefix rm web")" = "web1 web2 " ]
	[ "$(complete_zsh "$prefix volume rm ")" = "data1 " ]
	[ "$(complete_zsh "$prefix run busy")" = "busybox:latest " ]
}

@test "completion: a shell it does not know" {
	run -125 hako completion tcsh
	[ "$output" = "Error: completion tcsh: the shells are bash, zsh and fish" ]
}
