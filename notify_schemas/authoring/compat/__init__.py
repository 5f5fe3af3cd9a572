"""The evolution guard: is a new schema directory backward and forward compatible with an old one?

For every variant of both profiles, NEW is *backward compatible* with OLD when every message valid under OLD is valid
under NEW (consumers on NEW still read what producers on OLD send), and *forward compatible* when every message valid
under NEW is valid under OLD. Each break comes with a witness: a concrete message valid under one and invalid under
the other, checked with jsonschema-rs on the two bundled schemas.

Two methods are combined. A structural comparison walks both bundled schemas side by side (removed enum values, new
required keys, narrower types, tighter bounds, added patterns, keys that become ``false``, ...) and builds each
finding's witness by mutating a valid message, from the directory's corpus or generated. A property-based comparison
generates values with hypothesis-jsonschema for each place where the two schemas differ, puts them into valid
messages and validates them under the other schema. A finding for which no witness can be built is
reported as unconfirmed and does not change the verdict.

``notify-schemas compat OLD_DIR NEW_DIR`` runs the command; exit status 0 when no variant breaks backward
compatibility, 1 when one does, 2 on a usage or input/output error. Generation needs the ``compat`` extra
(hypothesis and hypothesis-jsonschema).

A variant one side of which no message can meet is found from its keywords before anything is generated, and
generation takes at most ``time_limit`` seconds a variant (``--time-limit``); a variant cut short says so.

The modules, in the order the work is done: ``compare`` (the directories, variant by variant), ``satisfiable`` (a
variant no message can meet), ``structure`` (the structural comparison), ``witnesses`` (mutated and generated witness
messages), ``report`` (text, JSON, the command); ``paths`` and ``verdicts`` are the values they share.
"""

from notify_schemas.authoring.compat.compare import compare
from notify_schemas.authoring.compat.report import main
from notify_schemas.authoring.compat.verdicts import Break, CompatError, VariantReport

__all__ = ["Break", "CompatError", "VariantReport", "compare", "main"]
