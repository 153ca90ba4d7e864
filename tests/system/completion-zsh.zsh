# SPDX-License-Identifier: Apache-2.0
# zsh -f completion-zsh.zsh DIR LINE: the matches zsh's completion system
# offers for LINE followed by a Tab, one a line, with the _hako in DIR.
# zsh completes only in its line editor, so this runs an interactive zsh
# in a pseudo-terminal (zsh/zpty), types LINE and Tab there, and has a
# compadd wrapper print the matches compsys would add.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i || exit 1
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd() { local -a hits; builtin compadd -A hits "$@"; print -rl -- "<m>"${^hits}; }'
zpty -w z "PROMPT=; RPROMPT=; print '<ready>'"
zpty -r z line '*<ready>*' || exit 1
# LINE and Tab, then ^U (kill the line) and a marker for the end
zpty -w -n z "$2"$'\t'
zpty -w z $'\x15print "<done>"'
out=
while zpty -r z line; do
	[[ $line == *'<done>'* ]] && break
	out+=$line
done
zpty -d z
cr=$'\r' nl=$'\n'
print -rl -- ${${(M)${(f)"${out//$cr/$nl}"}:#*<m>*}##*<m>}
