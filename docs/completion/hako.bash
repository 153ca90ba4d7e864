# SPDX-License-Identifier: Apache-2.0
# bash completion for hako: `hako completion bash` prints this file, and
# meson install puts it in share/bash-completion/completions/hako.
# Commands and options come from hako itself (--help and the hidden
# __options, which prints what a command's getopt accepts); names from the
# store, through the --root/--runroot given on the command line.

# _hako_names KIND: the names of the store's containers, images, volumes
# or networks.
_hako_names() {
	local -a hk=("${_hako_cmd[@]}")
	case $1 in
	container) "${hk[@]}" ps -a --format '{{.Names}}' ;;
	image) "${hk[@]}" images --format '{{.Repository}}:{{.Tag}}' | grep -v '^<none>' ;;
	volume) "${hk[@]}" volume ls -q ;;
	network) "${hk[@]}" network ls --format '{{.Name}}' ;;
	esac 2>/dev/null
}

# The kind of names COMMAND's operands are.
_hako_kind() {
	case $1 in
	volume\ create | network\ create | pod\ create) ;;
	volume\ *) echo volume ;;
	network\ connect | network\ disconnect) [ "$2" -eq 0 ] && echo network || echo container ;;
	network\ *) echo network ;;
	run | create | container\ run | container\ create | rmi | history | tag | push | save | \
		image\ *) [ "$2" -eq 0 ] && echo image ;;
	pull | build | load | import | login | logout | info | version | events | \
		system\ * | builder\ * | kube\ * | compose | pod\ *) ;;
	*) echo container ;;
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
			mapfile -t list < <("${_hako_cmd[@]}" --help | sed -n '/^commands:/,/^$/{s/^  \([^ ]*\).*/\1/p}' | sort -u)
		else
			mapfile -t list < <("${_hako_cmd[@]}" --help | sed -n "s/^  ${cmd[0]} \\([^ ]*\\).*/\\1/p")
		fi
	elif [[ $cur == -* ]]; then
		mapfile -t list < <("${_hako_cmd[@]}" __options "${cmd[@]}" </dev/null 2>/dev/null)
	else
		local kind
		kind=$(_hako_kind "${cmd[*]}" "$operands")
		[ -n "$kind" ] && mapfile -t list < <(_hako_names "$kind")
	fi
	mapfile -t COMPREPLY < <(compgen -W "${list[*]}" -- "$cur")
}

_hako_groups="image system container builder volume network pod kube"
complete -F _hako hako
