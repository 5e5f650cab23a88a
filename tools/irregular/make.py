#!/usr/bin/env python3
"""Writes index/irregular.txt, the irregular verb forms framebot searches.

    python3 tools/irregular/make.py [WORDNET_DIR] > index/irregular.txt

WORDNET_DIR is WordNet 3.0's dictionary folder (default /usr/share/wordnet,
Debian's wordnet-base); the licence copied into the file's header is read
from WORDNET_DIR/../doc/wordnet-base/copyright, where Debian puts it. Each line of verb.exc is a form and its lemmas
("went go"); a pair is kept when both are ASCII letters only and the form
is not itself a noun or a verb of WordNet (index.noun, index.verb): "found"
(find; to found), "saw" (see; a saw) and "left" (leave; the left) are left
out, since searching the lemma's forms would search their other sense too.
"""
import os, sys

wn = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
lemmas = set()
for pos in ("noun", "verb"):
    with open(os.path.join(wn, "index." + pos), encoding="utf-8") as f:
        for line in f:
            if not line.startswith(" "):
                lemmas.add(line.split()[0])
with open(os.path.join(wn, "..", "doc", "wordnet-base", "copyright"), encoding="utf-8") as f:
    text = f.read()
block = text[text.index("License: WordNet3.0\n") + len("License: WordNet3.0\n"):text.index("\nFiles: debian")]
out = sys.stdout
out.write("# Irregular English verb forms and their lemmas, from WordNet 3.0's verb.exc\n")
out.write("# (tools/irregular/make.py), under WordNet's licence:\n#\n")
for line in block.strip("\n").splitlines():
    line = line[1:] if line.startswith(" ") else line
    out.write("#\n" if line == "." else ("# " + line).rstrip() + "\n")
with open(os.path.join(wn, "verb.exc"), encoding="utf-8") as f:
    for line in f:
        form, *lems = line.split()
        if not (form.isascii() and form.isalpha()) or form in lemmas:
            continue
        for lem in lems:
            if lem.isascii() and lem.isalpha() and lem != form:
                out.write("%s %s\n" % (form, lem))
