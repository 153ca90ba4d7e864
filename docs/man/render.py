#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One source per command: docs/man/hako-CMD.txt is both `hako CMD --help`
and the man page hako-CMD.1.

  render.py man SOURCE OUT VERSION    writes the roff page of SOURCE
  render.py help OUT SOURCE...        writes the C table of --help texts

A source is lines starting with a keyword, each followed by text lines:
  NAME volume create            the command (empty for hako itself)
  PROGRAM hako-runtime          the program, when not hako
  SECTION 8                     the man section, when not 1
  SUMMARY create a volume
  SYNOPSIS [OPTIONS] [NAME]
  DESCRIPTION                   paragraphs, separated by empty lines
  OPTION -l --label KEY=VALUE   short and long names, then the argument
  DEFAULT none                  the option's default, when it has one
  EXAMPLE hako volume create data   then what it does
  EXIT 125                      then when
  SEE hako-volume-ls(1)
Lines starting with # are comments."""
import sys
import textwrap

KEYWORDS = ("NAME", "PROGRAM", "SECTION", "SUMMARY", "SYNOPSIS", "DESCRIPTION",
            "OPTION", "DEFAULT", "EXAMPLE", "EXIT", "SEE")


class SourceError(Exception):
    pass


def parse(path):
    doc = {"name": "", "program": "hako", "section": "1", "summary": "",
           "synopsis": "", "description": [], "options": [], "examples": [],
           "exits": [], "see": []}
    target = None  # the list of text lines the next lines belong to
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word not in KEYWORDS:
                if target is None:
                    if line.strip():
                        raise SourceError(f"{path}:{number}: text outside a section")
                    continue
                target.append(line.strip())
                continue
            target = None
            if word in ("NAME", "PROGRAM", "SECTION", "SUMMARY", "SYNOPSIS"):
                doc[word.lower()] = rest.strip()
            elif word == "DESCRIPTION":
                target = doc["description"]
            elif word == "OPTION":
                names = rest.split()
                flags = [n for n in names if n.startswith("-")]
                args = [n for n in names if not n.startswith("-")]
                if not flags or len(args) > 1:
                    raise SourceError(f"{path}:{number}: OPTION [-x] --name [ARG]")
                opt = {"flags": flags, "arg": args[0] if args else None,
                       "default": None, "text": []}
                doc["options"].append(opt)
                target = opt["text"]
            elif word == "DEFAULT":
                if not doc["options"]:
                    raise SourceError(f"{path}:{number}: DEFAULT before any OPTION")
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
    if not "".join(doc["description"]) or not doc["examples"] or not doc["exits"]:
        raise SourceError(f"{path}: DESCRIPTION, EXAMPLE and EXIT are required")
    return doc


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


def command_line(doc):
    return " ".join(w for w in (doc["program"], doc["name"]) if w)


def option_label(opt):
    label = ", ".join(opt["flags"])
    return label + (" " + opt["arg"] if opt["arg"] else "")


def help_text(doc):
    wrap = textwrap.TextWrapper(width=79, break_on_hyphens=False)
    out = [f"usage: {command_line(doc)} {doc['synopsis']}", "", doc["summary"] + ".", ""]
    for para in paragraphs(doc["description"]):
        out += wrap.wrap(para) + [""]
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


def page_name(doc):
    return "-".join(w for w in (doc["program"], *doc["name"].split()) if w)


def man_page(doc, version):
    name = page_name(doc)
    out = [f'.TH {name.upper()} {doc["section"]} "" "hako {version}" "hako manual"',
           ".SH NAME", f"{roff_escape(name)} \\- {roff_escape(doc['summary'])}",
           ".SH SYNOPSIS", f".B {roff_escape(command_line(doc))}",
           roff_escape(doc["synopsis"]), ".SH DESCRIPTION"]
    for i, para in enumerate(paragraphs(doc["description"])):
        out += ([".PP"] if i else []) + [roff_escape(para)]
    if doc["options"]:
        out.append(".SH OPTIONS")
        for opt in doc["options"]:
            flags = ", ".join(f"\\fB{roff_escape(f)}\\fR" for f in opt["flags"])
            arg = f" \\fI{roff_escape(opt['arg'])}\\fR" if opt["arg"] else ""
            out += [".TP", flags + arg]
            out += [roff_escape(" ".join(paragraphs(opt["text"])))]
            if opt["default"]:
                out += [".br", roff_escape(f"Default: {opt['default']}.")]
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
    out = ["/* Generated by docs/man/render.py from the docs/man sources: edit those. */",
           '#include "cli/cli-help.h"', "", "#include <stddef.h>", "",
           "const struct cli_help cli_helps[] = {"]
    for path in sources:
        doc = parse(path)
        if doc["program"] != "hako" or not doc["name"]:
            continue
        out.append(f'  {{ "{doc["name"]}", {c_string(help_text(doc))} }},')
    out += ["  { NULL, NULL },", "};", ""]
    return "\n".join(out)


def main(argv):
    try:
        if len(argv) == 5 and argv[1] == "man":
            text = man_page(parse(argv[2]), argv[4])
            out = argv[3]
        elif len(argv) >= 3 and argv[1] == "help":
            text = help_table(argv[3:])
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
