#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One source per command: docs/man/hako-CMD.txt is both `hako CMD --help`
and the man page hako-CMD.1.

  render.py man SOURCE OUT VERSION [COMMAND-SOURCE...]
                                      writes the roff page of SOURCE; a
                                      program's page (no NAME) without VERBs
                                      lists the commands of the
                                      COMMAND-SOURCEs
  render.py help OUT SOURCE...        writes the C table of --help texts,
                                      and hako's own (cli_main_help) from
                                      the source without a NAME
  render.py program-help OUT VARIABLE SOURCE
                                      writes a program's --help (its
                                      VERB list) as the C string VARIABLE

A source is lines starting with a keyword, each followed by text lines:
  NAME volume create            the command (empty for hako itself)
  PROGRAM hako-runtime          the program, when not hako
  SECTION 8                     the man section, when not 1
  SUMMARY create a volume
  SYNOPSIS [OPTIONS] [NAME]
  DESCRIPTION                   paragraphs, separated by empty lines;
                                again after an ITEM, it goes on
  ITEM LABEL                    a labelled paragraph of the description
  ALIAS image ls                another name of the command (its --help too),
                                listed in hako's command list
  HIDDEN-ALIAS image list       another name, not listed (as the C table's
                                .hidden, or a top-level command typed in its
                                group: image push)
  INCLUDE run-options.inc       the lines of that file, here
  VERB NAME                     a (sub)command, then its summary: those
                                of hako-runtime and hako compose (hako's
                                own are its command sources')
  OPTION -l --label KEY=VALUE   short and long names, then the argument
  DEFAULT none                  the option's default, when it has one
  EXAMPLE hako volume create data   then what it does
  EXIT 125                      then when
  SEE hako-volume-ls(1)
Lines starting with # are comments."""
import os
import sys
import textwrap

KEYWORDS = ("NAME", "PROGRAM", "SECTION", "SUMMARY", "SYNOPSIS", "DESCRIPTION",
            "ITEM", "ALIAS", "HIDDEN-ALIAS", "INCLUDE", "VERB", "OPTION", "DEFAULT", "EXAMPLE", "EXIT", "SEE")


class SourceError(Exception):
    pass


def source_lines(path, depth=0):
    """(where, line) of PATH, its INCLUDEs' lines in their place."""
    if depth > 4:
        raise SourceError(f"{path}: INCLUDE nested too deep")
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            word, _, rest = line.partition(" ")
            if word == "INCLUDE":
                yield from source_lines(os.path.join(os.path.dirname(path), rest.strip()),
                                        depth + 1)
            else:
                yield f"{path}:{number}", line


def parse(path):
    doc = {"name": "", "program": "hako", "section": "1", "summary": "",
           "synopsis": "", "description": [], "aliases": [], "listed_aliases": [], "commands": [],
           "options": [], "examples": [], "exits": [], "see": []}
    target = None  # the list of text lines the next lines belong to
    for where, line in source_lines(path):
        if line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word not in KEYWORDS:
            if target is None:
                if line.strip():
                    raise SourceError(f"{where}: text outside a section")
                continue
            target.append(line.strip())
            continue
        target = None
        if word in ("NAME", "PROGRAM", "SECTION", "SUMMARY", "SYNOPSIS"):
            doc[word.lower()] = rest.strip()
        elif word == "DESCRIPTION":
            target = doc["description"]
            target.append("")
        elif word == "ITEM":
            item = {"label": rest.strip(), "text": []}
            doc["description"].append(item)
            target = item["text"]
        elif word in ("ALIAS", "HIDDEN-ALIAS"):
            doc["aliases"].append(rest.strip())
            if word == "ALIAS":
                doc["listed_aliases"].append(rest.strip())
        elif word == "VERB":
            cmd = {"name": rest.strip(), "text": []}
            doc["commands"].append(cmd)
            target = cmd["text"]
        elif word == "OPTION":
            names = rest.split()
            flags = [n for n in names if n.startswith("-")]
            args = [n for n in names if not n.startswith("-")]
            if not flags or len(args) > 1:
                raise SourceError(f"{where}: OPTION [-x] --name [ARG]")
            opt = {"flags": flags, "arg": args[0] if args else None,
                   "default": None, "text": []}
            doc["options"].append(opt)
            target = opt["text"]
        elif word == "DEFAULT":
            if not doc["options"]:
                raise SourceError(f"{where}: DEFAULT before any OPTION")
            doc["options"][-1]["default"] = rest.strip()
            target = doc["options"][-1]["text"]
        elif word == "EXAMPLE":
            ex = {"command": rest.strip(), "text": []}
            doc["examples"].append(ex)
            target = ex["text"]
        elif word == "EXIT":
            ex = {"status": rest.strip(), "text": []}
            doc["exits"].append(ex)
            target = ex["text"]
        elif word == "SEE":
            doc["see"].extend(rest.split())
    for key in ("summary", "synopsis"):
        if not doc[key]:
            raise SourceError(f"{path}: no {key.upper()}")
    if not blocks(doc["description"]) or not doc["examples"] or not doc["exits"]:
        raise SourceError(f"{path}: DESCRIPTION, EXAMPLE and EXIT are required")
    return doc


def blocks(description):
    """The description as paragraphs (strings) and items (label, text)."""
    out, lines = [], []
    for part in description + [""]:
        if isinstance(part, dict):
            out += paragraphs(lines)
            lines = []
            out.append((part["label"], " ".join(paragraphs(part["text"]))))
        else:
            lines.append(part)
    return out + paragraphs(lines)


def paragraphs(lines):
    """Text lines split at empty lines into paragraphs (strings)."""
    out, cur = [], []
    for line in lines + [""]:
        if line:
            cur.append(line)
        elif cur:
            out.append(" ".join(cur))
            cur = []
    return out


def command_line(doc, name=None):
    return " ".join(w for w in (doc["program"], doc["name"] if name is None else name) if w)


def option_label(opt):
    label = ", ".join(opt["flags"])
    return label + (" " + opt["arg"] if opt["arg"] else "")


def also_named(doc):
    """The paragraph naming the command's aliases, if it has any."""
    if not doc["aliases"]:
        return []
    names = ", ".join(f"`{command_line(doc, a)}`" for a in doc["aliases"])
    return [f"Also run as {names}."]


def program_commands(doc, command_docs):
    """The commands DOC lists as (name, summary): its VERBs, else for a
    program's page the commands of COMMAND_DOCS (hako's sources), by name."""
    if doc["commands"]:
        return [(c["name"], " ".join(paragraphs(c["text"]))) for c in doc["commands"]]
    if doc["name"]:
        return []
    return sorted((name, d["summary"]) for d in command_docs
                  if d["program"] == doc["program"] and d["name"]
                  for name in [d["name"]] + d["listed_aliases"])


def hanging(label, text, width):
    """LABEL then TEXT wrapped at 79 columns, hung at WIDTH + 3."""
    first = f"  {label:<{width}} "
    if len(first) > width + 3:
        return [first.rstrip()] + textwrap.wrap(text, 79, initial_indent=" " * (width + 3),
                                                subsequent_indent=" " * (width + 3),
                                                break_on_hyphens=False)
    return textwrap.wrap(text, 79, initial_indent=first, subsequent_indent=" " * (width + 3),
                         break_on_hyphens=False)


def help_text(doc, name=None, commands=()):
    wrap = textwrap.TextWrapper(width=79, break_on_hyphens=False)
    out = [f"usage: {command_line(doc, name)} {doc['synopsis']}", "", doc["summary"] + ".", ""]
    for block in blocks(doc["description"]) + also_named(doc):
        if isinstance(block, tuple):
            out += hanging(block[0], block[1], 14)
        else:
            if out[-1] != "":
                out.append("")
            out += wrap.wrap(block) + [""]
    if out[-1] != "":
        out.append("")
    if doc["options"]:
        out.append("options:")
        sub = textwrap.TextWrapper(width=79, initial_indent=" " * 6,
                                   subsequent_indent=" " * 6, break_on_hyphens=False)
        for opt in doc["options"]:
            out.append("  " + option_label(opt))
            text = " ".join(paragraphs(opt["text"]))
            if opt["default"]:
                text += f" (default: {opt['default']})"
            out += sub.wrap(text)
        out.append("")
    if commands:
        # one line each, unwrapped: cli-options.bats reads the commands here
        out.append("commands:")
        width = max(len(c) for c, _ in commands)
        out += [f"  {command:<{width}}  {summary}" for command, summary in commands]
        out.append("")
    out.append("examples:")
    for ex in doc["examples"]:
        out.append("  " + ex["command"])
        out += textwrap.wrap(" ".join(paragraphs(ex["text"])), 79, initial_indent=" " * 6,
                             subsequent_indent=" " * 6, break_on_hyphens=False)
    out += ["", "exit status:"]
    for ex in doc["exits"]:
        out += textwrap.wrap(" ".join(paragraphs(ex["text"])), 79,
                             initial_indent=f"  {ex['status']:<5} ",
                             subsequent_indent=" " * 8, break_on_hyphens=False)
    return "\n".join(out) + "\n"


def roff_escape(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def page_name(doc, name=None):
    name = doc["name"] if name is None else name
    return "-".join(w for w in (doc["program"], *name.split()) if w)


def man_page(doc, version, commands=()):
    name = page_name(doc)
    out = [f'.TH {name.upper()} {doc["section"]} "" "hako {version}" "hako manual"',
           ".SH NAME", f"{roff_escape(name)} \\- {roff_escape(doc['summary'])}",
           ".SH SYNOPSIS", f".B {roff_escape(command_line(doc))}",
           roff_escape(doc["synopsis"]), ".SH DESCRIPTION"]
    first = True
    for block in blocks(doc["description"]) + also_named(doc):
        if isinstance(block, tuple):
            out += [".TP", f"\\fB{roff_escape(block[0])}\\fR", roff_escape(block[1])]
        else:
            out += ([] if first else [".PP"]) + [roff_escape(block)]
        first = False
    if doc["options"]:
        out.append(".SH OPTIONS")
        for opt in doc["options"]:
            flags = ", ".join(f"\\fB{roff_escape(f)}\\fR" for f in opt["flags"])
            arg = f" \\fI{roff_escape(opt['arg'])}\\fR" if opt["arg"] else ""
            out += [".TP", flags + arg]
            out += [roff_escape(" ".join(paragraphs(opt["text"])))]
            if opt["default"]:
                out += [".br", roff_escape(f"Default: {opt['default']}.")]
    if commands:
        out.append(".SH COMMANDS")
        for command, summary in commands:
            out += [".TP", f"\\fB{roff_escape(command)}\\fR", roff_escape(summary)]
    out.append(".SH EXAMPLES")
    for ex in doc["examples"]:
        out += [".TP", f"\\fB{roff_escape(ex['command'])}\\fR",
                roff_escape(" ".join(paragraphs(ex["text"])))]
    out.append(".SH EXIT STATUS")
    for ex in doc["exits"]:
        out += [".TP", f"\\fB{roff_escape(ex['status'])}\\fR",
                roff_escape(" ".join(paragraphs(ex["text"])))]
    see = doc["see"] or (["hako(1)"] if doc["name"] else [])
    if see:
        out.append(".SH SEE ALSO")
        refs = []
        for ref in see:
            page, _, section = ref.partition("(")
            refs.append(f".BR {roff_escape(page)} ({section}")
        out += [r + ("," if i + 1 < len(refs) else "") for i, r in enumerate(refs)]
    return "\n".join(out) + "\n"


def c_string(text):
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n\"\n    \"")
    return f'"{body}"'


def help_table(sources):
    docs = [parse(path) for path in sources]
    out = ["/* Generated by docs/man/render.py from the docs/man sources: edit those. */",
           '#include "cli/cli-help.h"', "", "#include <stddef.h>", "",
           "const struct cli_help cli_helps[] = {"]
    main_help = None
    for doc in docs:
        if doc["program"] != "hako":
            continue
        if not doc["name"]:
            main_help = help_text(doc, commands=program_commands(doc, docs))
            continue
        for name in [doc["name"]] + doc["aliases"]:
            text = help_text(doc, name, program_commands(doc, docs))
            out.append(f'  {{ "{name}", {c_string(text)} }},')
    if main_help is None:
        raise SourceError("help: no source of hako itself (one without NAME)")
    out += ["  { NULL, NULL },", "};", "",
            f"const char cli_main_help[] = {c_string(main_help)};", ""]
    return "\n".join(out)


def program_help(variable, path):
    doc = parse(path)
    return "\n".join(["/* Generated by docs/man/render.py from " + os.path.basename(path)
                      + ": edit that. */",
                      f"const char {variable}[] = {c_string(help_text(doc, commands=program_commands(doc, [])))};",
                      ""])


def main(argv):
    try:
        if len(argv) >= 5 and argv[1] == "man":
            doc = parse(argv[2])
            commands = program_commands(doc, [parse(p) for p in argv[5:]])
            text = man_page(doc, argv[4], commands)
            out = argv[3]
        elif len(argv) >= 3 and argv[1] == "help":
            text = help_table(argv[3:])
            out = argv[2]
        elif len(argv) == 5 and argv[1] == "program-help":
            text = program_help(argv[3], argv[4])
            out = argv[2]
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, SourceError) as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 1
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
