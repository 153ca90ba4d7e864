# SPDX-License-Identifier: Apache-2.0
# bash completion for hako: `hako completion bash` prints this file, and
# meson install puts it in share/bash-completion/completions/hako.
# Commands and names come from hako itself (the hidden __names: commands,
# and the store's names through the --root/--runroot given on the command
# line), options from the hidden __options (what a command's getopt
# accepts): one hako process per completion, no pipeline and no other
# process (starting one is most of a completion's time).

# _hako_kind COMMAND N: sets _hako_kind_of to the kind of names the
# operand N of COMMAND is (container, image, volume, network), or to ""
# for none.  Not printed: a $(...) would cost a process, most of the time
# a completion takes.
_hako_kind() {
	_hako_kind_of=
	case $1 in
	volume\ create | network\ create | pod\ create) ;;
	volume\ *) _hako_kind_of=volume ;;
	network\ connect | network\ disconnect) (($2 == 0)) && _hako_kind_of=network || _hako_kind_of=container ;;
	network\ *) _hako_kind_of=network ;;
	run | create | container\ run | container\ create | rmi | history | tag | push | save | \
		image\ *) (($2 == 0)) && _hako_kind_of=image ;;
	pull | build | load | import | login | logout | info | version | events | \
		system\ * | builder\ * | kube\ * | compose | pod\ *) ;;
	*) _hako_kind_of=container ;;
	esac
}

_hako() {
	local cur=${COMP_WORDS[COMP_CWORD]} word i operands=0
	local -a cmd=()
	_hako_cmd=("${COMP_WORDS[0]}")
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--root | --runroot)
			if ((${#cmd[@]} == 0)); then
				_hako_cmd+=("$word" "${COMP_WORDS[i + 1]}")
				((i++))
			fi
			continue
			;;
		--log-level)
			((i++))
			continue
			;;
		-*) continue ;;
		esac
		if ((${#cmd[@]} == 0)); then
			cmd=("$word")
		elif ((${#cmd[@]} == 1)) && [[ " $_hako_groups " == *" ${cmd[0]} "* ]]; then
			cmd+=("$word")
		else
			operands=$((operands + 1))
		fi
	done
	local -a list
	if ((${#cmd[@]} == 0)) || { ((${#cmd[@]} == 1)) && [[ " $_hako_groups " == *" ${cmd[0]} "* ]]; }; then
		if [[ $cur == -* ]]; then
			list=(--root --runroot --log-level --debug --help --version)
		elif ((${#cmd[@]} == 0)); then
			mapfile -t list < <("${_hako_cmd[@]}" __names command </dev/null 2>/dev/null)
		else
			mapfile -t list < <("${_hako_cmd[@]}" __names command "${cmd[0]}" </dev/null 2>/dev/null)
		fi
	elif [[ $cur == -* ]]; then
		mapfile -t list < <("${_hako_cmd[@]}" __options "${cmd[@]}" </dev/null 2>/dev/null)
	else
		_hako_kind "${cmd[*]}" "$operands"
		[ -n "$_hako_kind_of" ] &&
			mapfile -t list < <("${_hako_cmd[@]}" __names "$_hako_kind_of" </dev/null 2>/dev/null)
	fi
	# the words that start with CUR, chosen here (compgen's output read
	# back would be one more process)
	local w
	for w in "${list[@]}"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
	return 0
}

_hako_groups="image system container builder volume network pod kube"
complete -F _hako hako
