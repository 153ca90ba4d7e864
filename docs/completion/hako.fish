# SPDX-License-Identifier: Apache-2.0
# fish completion for hako: `hako completion fish` prints this file, and
# meson install puts it in share/fish/vendor_completions.d/hako.fish. As
# the bash one: commands and the store's names (at the --root/--runroot
# given) from `hako __names`, options from `hako __options CMD`.

function __hako_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l groups image system container builder volume network pod kube
    set -l hk $words[1]
    set -l cmd
    set -l operands 0
    set -l skip 0
    for i in (seq 2 (count $words))
        set -l w $words[$i]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case --root --runroot
                test (count $cmd) -eq 0; and set hk $hk $w $words[(math $i + 1)]
                set skip 1
                continue
            case --log-level
                set skip 1
                continue
            case '-*'
                continue
        end
        if test (count $cmd) -eq 0
            set cmd $w
        else if test (count $cmd) -eq 1; and contains -- $cmd[1] $groups
            set cmd $cmd $w
        else
            set operands (math $operands + 1)
        end
    end
    if test (count $cmd) -eq 0
        if string match -q -- '-*' $cur
            printf '%s\n' --root --runroot --log-level --debug --help --version
        else
            $hk __names command </dev/null 2>/dev/null
        end
    else if test (count $cmd) -eq 1; and contains -- $cmd[1] $groups
        $hk __names command $cmd[1] </dev/null 2>/dev/null
    else if string match -q -- '-*' $cur
        $hk __options $cmd </dev/null 2>/dev/null
    else
        set -l kind container
        switch "$cmd"
            case 'volume create' 'network create' 'pod create' pull build load import login logout info version events 'system *' 'builder *' 'kube *' compose 'pod *'
                set kind none
            case 'volume *'
                set kind volume
            case 'network connect' 'network disconnect'
                test $operands -eq 0; and set kind network
            case 'network *'
                set kind network
            case run create 'container run' 'container create' rmi history tag push save 'image *'
                set kind none
                test $operands -eq 0; and set kind image
        end
        test $kind != none; and $hk __names $kind </dev/null 2>/dev/null
    end
end

complete -c hako -f -a '(__hako_complete)'
