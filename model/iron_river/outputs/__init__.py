"""What a run leaves behind: summary metrics, the targets they are checked against, files, figures.

:mod:`.record` (what one replicate produced), :mod:`.metrics` (yearly summaries),
:mod:`.targets` (FACTS.md targets and the validation table), :mod:`.files` (the results
folder, written atomically), :mod:`.figures`, and :mod:`.docs` (the generated parts of the
documentation).
"""
